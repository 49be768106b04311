#pragma once

#include <QDialog>

class QTreeWidget;

namespace qd {

// Help → Keyboard shortcuts: every shortcut the window has, read from its actions and
// shortcuts themselves (so the sheet cannot drift from what the keys do), grouped by the
// menu an action is in, or by the "shortcutGroup" property of one that is in none.
class ShortcutsDialog final : public QDialog {
    Q_OBJECT
public:
    explicit ShortcutsDialog(QWidget *window, QWidget *parent = nullptr);

    QTreeWidget *list() const { return m_list; }

    struct Entry {
        QString group;
        QString what;
        QString keys; // in the platform's own notation, alternatives separated by ", "
    };
    // What the sheet lists for `window`: sorted, without repeats.
    static QList<Entry> entries(QWidget *window);

private:
    QTreeWidget *m_list;
};

} // namespace qd
