#include "shortcutsdialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QMenu>
#include <QSet>
#include <QShortcut>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace qd {

namespace {

QString plain(QString text)
{
    // "&Pause Charts", "&Export…" as a sentence names them.
    text.remove(QRegularExpression(QStringLiteral("&(?!&)")));
    text.replace(QStringLiteral("&&"), QStringLiteral("&"));
    if (text.endsWith(QStringLiteral("…")))
        text.chop(1);
    return text;
}

QString keysText(const QList<QKeySequence> &keys)
{
    QStringList parts;
    for (const QKeySequence &k : keys) {
        if (!k.isEmpty())
            parts.append(k.toString(QKeySequence::NativeText));
    }
    return parts.join(QStringLiteral(", "));
}

QString groupOf(const QAction *action)
{
    QString group = action->property("shortcutGroup").toString();
    if (!group.isEmpty())
        return group;
    for (QObject *o : action->associatedObjects()) {
        if (auto *menu = qobject_cast<QMenu *>(o); menu && !menu->title().isEmpty())
            return plain(menu->title());
    }
    return QDialog::tr("Window");
}

} // namespace

QList<ShortcutsDialog::Entry> ShortcutsDialog::entries(QWidget *window)
{
    QList<Entry> out;
    QSet<QString> seen;
    const auto add = [&](const QString &group, const QString &what, const QString &keys) {
        if (keys.isEmpty() || what.isEmpty())
            return;
        const QString key = group + QLatin1Char('\n') + what + QLatin1Char('\n') + keys;
        if (seen.contains(key))
            return;
        seen.insert(key);
        out.append(Entry { group, what, keys });
    };
    for (QAction *a : window->findChildren<QAction *>())
        add(groupOf(a), plain(a->text()), keysText(a->shortcuts()));
    for (QShortcut *s : window->findChildren<QShortcut *>()) {
        const QString group = s->property("shortcutGroup").toString();
        add(group.isEmpty() ? tr("Window") : group, s->whatsThis(), keysText(s->keys()));
    }
    std::sort(out.begin(), out.end(),
        [](const Entry &a, const Entry &b) { return std::tie(a.group, a.what) < std::tie(b.group, b.what); });
    return out;
}

ShortcutsDialog::ShortcutsDialog(QWidget *window, QWidget *parent)
    : QDialog(parent)
    , m_list(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("shortcutsSheet"));
    setWindowTitle(tr("Keyboard Shortcuts"));
    m_list->setObjectName(QStringLiteral("shortcuts"));
    m_list->setColumnCount(2);
    m_list->setHeaderLabels({ tr("Keys"), tr("Does") });
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    QTreeWidgetItem *groupItem = nullptr;
    QString group;
    for (const Entry &e : entries(window)) {
        if (!groupItem || e.group != group) {
            group = e.group;
            groupItem = new QTreeWidgetItem(m_list, { group });
            QFont bold = groupItem->font(0);
            bold.setBold(true);
            groupItem->setFont(0, bold);
            groupItem->setFirstColumnSpanned(true);
            groupItem->setFlags(Qt::ItemIsEnabled);
        }
        new QTreeWidgetItem(m_list, { e.keys, e.what });
    }
    m_list->resizeColumnToContents(0);
    m_list->header()->setStretchLastSection(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_list);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    resize(560, 620);
}

} // namespace qd
