#pragma once

#include <QColor>

class QPalette;

namespace qd {

// The states a message passes through and the outcomes of its deliveries, as the window
// colours them: tiles, charts, tables and badges all ask here, so one state has one colour
// everywhere.
enum class MessageStateKind { Ready, Delayed, InFlight, Acked, Retried, Failed, DeadLettered };

// `dark`: for a dark background (lighter, less saturated tones), else for a light one.
QColor stateColor(MessageStateKind state, bool dark);
// The colour for a state on this palette's window background.
QColor stateColor(MessageStateKind state, const QPalette &palette);
// The colour for a state on the application's palette (light without a GUI application),
// asked at paint time, so item models follow a theme chosen while they show.
QColor stateColor(MessageStateKind state);
// Whether a palette's window background is dark.
bool isDarkPalette(const QPalette &palette);

} // namespace qd
