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
// "system", "light", "dark": the settings' and the command line's words for a theme.
QString themeId(Theme theme);
// False for a word that is none of themeId's.
bool themeFromId(const QString &id, Theme *theme);

} // namespace qd
