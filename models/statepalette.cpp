#include "statepalette.h"

#include <QGuiApplication>
#include <QPalette>

namespace qd {

QColor stateColor(MessageStateKind state, bool dark)
{
    // Hues far apart where states sit next to each other (stacked depth, throughput
    // lines); on dark backgrounds the same hues one step lighter so they keep contrast.
    switch (state) {
    case MessageStateKind::Ready:
        return dark ? QColor(0x60, 0xa5, 0xfa) : QColor(0x25, 0x63, 0xeb); // blue
    case MessageStateKind::Delayed:
        return dark ? QColor(0xc0, 0x84, 0xfc) : QColor(0x93, 0x33, 0xea); // purple
    case MessageStateKind::InFlight:
        return dark ? QColor(0xfb, 0xbf, 0x24) : QColor(0xd9, 0x77, 0x06); // amber
    case MessageStateKind::Acked:
        return dark ? QColor(0x4a, 0xde, 0x80) : QColor(0x16, 0xa3, 0x4a); // green
    case MessageStateKind::Retried:
        return dark ? QColor(0xfb, 0x92, 0x3c) : QColor(0xea, 0x58, 0x0c); // orange
    case MessageStateKind::Failed:
        return dark ? QColor(0xf8, 0x71, 0x71) : QColor(0xdc, 0x26, 0x26); // red
    case MessageStateKind::DeadLettered:
        return dark ? QColor(0x2d, 0xd4, 0xbf) : QColor(0x0f, 0x76, 0x6e); // teal
    }
    return dark ? QColor(Qt::lightGray) : QColor(Qt::darkGray);
}

bool isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightnessF() < 0.5;
}

QColor stateColor(MessageStateKind state, const QPalette &palette)
{
    return stateColor(state, isDarkPalette(palette));
}

QColor stateColor(MessageStateKind state)
{
    if (!qobject_cast<QGuiApplication *>(QCoreApplication::instance()))
        return stateColor(state, false);
    return stateColor(state, QGuiApplication::palette());
}

} // namespace qd
