#include "theme.h"

#include <QApplication>
#include <QPalette>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>

namespace qd {

namespace {

const QString kThemeKey = QStringLiteral("appearance/theme");

// The desktop's palette and style as they were before any theme was applied.
struct Platform {
    QPalette palette;
    QString style;
};

const Platform &platform()
{
    static const Platform p { QGuiApplication::palette(),
        qApp && qobject_cast<QApplication *>(qApp) ? QApplication::style()->name() : QString() };
    return p;
}

QPalette darkPalette()
{
    // Greys far enough apart that panes, fields and selections stay distinct, and text that
    // keeps a contrast above 7:1 on them.
    const QColor window(0x2b, 0x2d, 0x30);
    const QColor base(0x1e, 0x1f, 0x22);
    const QColor alternate(0x26, 0x28, 0x2b);
    const QColor text(0xe6, 0xe6, 0xe6);
    const QColor dim(0x8c, 0x8f, 0x94);
    const QColor highlight(0x2f, 0x6f, 0xc4);
    QPalette p;
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, alternate);
    p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3d, 0x41));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, dim);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x35, 0x37, 0x3b));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Light, QColor(0x4a, 0x4d, 0x52));
    p.setColor(QPalette::Midlight, QColor(0x3e, 0x41, 0x45));
    p.setColor(QPalette::Mid, QColor(0x24, 0x25, 0x28));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xa8, 0xf0));
    p.setColor(QPalette::LinkVisited, QColor(0xb0, 0x8c, 0xf0));
    for (const QPalette::ColorRole role :
        { QPalette::WindowText, QPalette::Text, QPalette::ButtonText, QPalette::HighlightedText })
        p.setColor(QPalette::Disabled, role, QColor(0x75, 0x78, 0x7d));
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x44, 0x47, 0x4c));
    p.setColor(QPalette::Disabled, QPalette::Base, window);
    return p;
}

} // namespace

bool isDark(Theme theme)
{
    switch (theme) {
    case Theme::Dark:
        return true;
    case Theme::Light:
        return false;
    case Theme::System:
        break;
    }
    return platform().palette.color(QPalette::Window).lightness() < 128;
}

void applyTheme(Theme theme)
{
    platform(); // remember the desktop's look before changing it
    if (theme == Theme::System && !isDark(theme)) {
        // A light desktop: its own style and palette, as it was.
        if (!platform().style.isEmpty())
            QApplication::setStyle(QStyleFactory::create(platform().style));
        QApplication::setPalette(platform().palette);
        return;
    }
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QApplication::setPalette(isDark(theme) ? darkPalette() : QApplication::style()->standardPalette());
}

Theme savedTheme()
{
    const QString name = QSettings().value(kThemeKey).toString();
    if (name == QLatin1String("light"))
        return Theme::Light;
    if (name == QLatin1String("dark"))
        return Theme::Dark;
    return Theme::System;
}

void saveTheme(Theme theme)
{
    QSettings().setValue(kThemeKey,
        theme == Theme::Light      ? QStringLiteral("light")
            : theme == Theme::Dark ? QStringLiteral("dark")
                                   : QStringLiteral("system"));
}

QString themeName(Theme theme)
{
    switch (theme) {
    case Theme::Light:
        return QApplication::tr("Light");
    case Theme::Dark:
        return QApplication::tr("Dark");
    case Theme::System:
        break;
    }
    return QApplication::tr("Same as the system");
}

} // namespace qd
