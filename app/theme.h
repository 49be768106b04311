#pragma once

#include <QString>

namespace qd {

// The window's colours: the system's own style and palette, or Fusion with a light or a
// dark palette. One switch for the command line, the screenshots and the preferences.
enum class Theme { System, Light, Dark };

// Applies to the whole application at once; every widget gets a PaletteChange.
void applyTheme(Theme theme);
Theme currentTheme();
// "system", "light", "dark"; anything else: System.
Theme themeFromName(const QString &name);
QString themeName(Theme theme);

} // namespace qd
