#pragma once

#include <QString>

namespace qd {

enum class Theme { System, Light, Dark };

// Light or dark for the whole application: the Fusion style with a light or a dark palette.
// System follows the desktop: dark when the platform's own window colour is dark when the
// application starts (Qt 6.4 has no colour-scheme signal to follow later).
void applyTheme(Theme theme);
// Whether applyTheme(theme) gives dark colours.
bool isDark(Theme theme);

// The theme chosen in Preferences (QSettings "appearance/theme"), System when none was.
Theme savedTheme();
void saveTheme(Theme theme);
QString themeName(Theme theme);

} // namespace qd
