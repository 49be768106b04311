// Help → Keyboard shortcuts, made from the window's own actions; Preferences, which hold
// the look, the chart range, notifications and what the runtime starts with.
#include "dashboardpage.h"
#include "mainwindow.h"
#include "preferencesdialog.h"
#include "runtimefixture.h"
#include "shortcutsdialog.h"
#include "theme.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>
#include <QStyle>
#include <QTest>
#include <QTreeWidget>

using namespace qd;
using namespace qdtest;

namespace {

template <typename T> T *openDialog(QWidget *parent)
{
    T *found = nullptr;
    [[maybe_unused]] const bool appeared = QTest::qWaitFor([&] {
        for (T *d : parent->findChildren<T *>()) {
            if (d->isVisible())
                found = d;
        }
        return found != nullptr;
    });
    return found;
}

bool lists(const QList<ShortcutsDialog::Entry> &entries, const QString &keys, const QString &what)
{
    for (const ShortcutsDialog::Entry &e : entries) {
        if (e.keys.split(QStringLiteral(", ")).contains(keys) && e.what == what)
            return true;
    }
    return false;
}

void pick(QComboBox *box, int index)
{
    box->setFocus();
    while (box->currentIndex() < index)
        QTest::keyClick(box, Qt::Key_Down);
    while (box->currentIndex() > index)
        QTest::keyClick(box, Qt::Key_Up);
}

void clickOk(QDialog *dialog)
{
    QTest::mouseClick(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
}

} // namespace

class TstPreferences : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { isolateSettings(); }

    // Ctrl+/ opens a sheet of every shortcut, read from the actions themselves: the
    // window's, the message tables' single keys, the Submit page's paste.
    void shortcutSheetListsWhatTheKeysDo()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start(100));
        MainWindow w(fx.runtime.get());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTest::keyClick(&w, Qt::Key_Slash, Qt::ControlModifier);
        auto *sheet = openDialog<ShortcutsDialog>(&w);
        QVERIFY(sheet);
        QVERIFY(sheet->list()->topLevelItemCount() > 20);

        const auto entries = ShortcutsDialog::entries(&w);
        const auto native = [](const QKeySequence &k) { return k.toString(QKeySequence::NativeText); };
        QVERIFY(lists(entries, native(QKeySequence(Qt::CTRL | Qt::Key_1)), QStringLiteral("Dashboard")));
        QVERIFY(
            lists(entries, native(QKeySequence(Qt::CTRL | Qt::Key_Comma)), QStringLiteral("Preferences")));
        QVERIFY(lists(
            entries, native(QKeySequence(Qt::CTRL | Qt::Key_Slash)), QStringLiteral("Keyboard Shortcuts")));
        QVERIFY(lists(entries, QStringLiteral("J"), QStringLiteral("Next message")));
        QVERIFY(lists(entries, QStringLiteral("X"), QStringLiteral("Mark or unmark this message")));
        QVERIFY(lists(entries, native(QKeySequence(Qt::SHIFT | Qt::Key_J)),
            QStringLiteral("Mark this message and the next")));
        QVERIFY(lists(
            entries, native(QKeySequence::Paste), QStringLiteral("Upload the images on the clipboard")));
        // Listed once, though both message pages have the keys.
        int nexts = 0;
        for (const ShortcutsDialog::Entry &e : entries)
            nexts += e.what == QLatin1String("Next message");
        QCOMPARE(nexts, 1);
        // Made from what is there: an action added now is on the next sheet.
        auto *extra = new QAction(QStringLiteral("&Frobnicate…"), &w);
        extra->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_F));
        QVERIFY(lists(ShortcutsDialog::entries(&w), native(extra->shortcut()), QStringLiteral("Frobnicate")));
        sheet->reject();
    }

    // Ctrl+, opens Preferences: the theme applies at once, the chart range too; what the
    // runtime starts with is saved for the next start and says so.
    void preferencesHoldSettingsAndTheme()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start(100));
        MainWindow w(fx.runtime.get());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QTest::keyClick(&w, Qt::Key_Comma, Qt::ControlModifier);
        auto *dialog = openDialog<PreferencesDialog>(&w);
        QVERIFY(dialog);
        QCOMPARE(dialog->findChildren<QLabel *>(QStringLiteral("restartNote")).size(), 2);
        pick(dialog->findChild<QComboBox *>(QStringLiteral("theme")), 2); // Dark
        pick(dialog->findChild<QComboBox *>(QStringLiteral("chartRange")), 1);
        auto *port = dialog->findChild<QSpinBox *>(QStringLiteral("port"));
        port->setFocus();
        QTest::keyClick(port, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(port, QStringLiteral("9999"));
        QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("token")), QStringLiteral("s3cret"));
        QTest::mouseClick(dialog->findChild<QCheckBox *>(QStringLiteral("notify")), Qt::LeftButton);
        QVERIFY(!dialog->findChild<QSpinBox *>(QStringLiteral("alertThreshold"))->isEnabled());
        QPointer<PreferencesDialog> first(dialog);
        clickOk(dialog);
        QTRY_VERIFY(first.isNull()); // closed and gone

        QTRY_VERIFY(QApplication::palette().color(QPalette::Window).lightness() < 100);
        QVERIFY(QApplication::palette().color(QPalette::WindowText).lightness() > 200);
        QCOMPARE(QApplication::style()->name(), QStringLiteral("fusion"));
        QCOMPARE(w.dashboard()->rangeBox()->currentIndex(), 1);
        QCOMPARE(savedTheme(), Theme::Dark);
        const Preferences saved = Preferences::load();
        QCOMPARE(saved.port, 9999);
        QCOMPARE(saved.token, QStringLiteral("s3cret"));
        QVERIFY(!saved.notify);

        // The next start uses them, unless the command line says otherwise.
        RuntimeOptions options;
        applyPreferences(&options, { QStringLiteral("queuedeck") });
        QCOMPARE(options.port, quint16(9999));
        QCOMPARE(options.token, QStringLiteral("s3cret"));
        RuntimeOptions given;
        given.port = 0;
        applyPreferences(&given, { QStringLiteral("queuedeck"), QStringLiteral("--port=0") });
        QCOMPARE(given.port, quint16(0));
        QCOMPARE(given.token, QStringLiteral("s3cret"));

        // And back to light.
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QTest::keyClick(&w, Qt::Key_Comma, Qt::ControlModifier);
        dialog = openDialog<PreferencesDialog>(&w);
        QVERIFY(dialog);
        QCOMPARE(dialog->findChild<QComboBox *>(QStringLiteral("theme"))->currentIndex(), 2);
        pick(dialog->findChild<QComboBox *>(QStringLiteral("theme")), 1); // Light
        clickOk(dialog);
        QTRY_VERIFY(QApplication::palette().color(QPalette::Window).lightness() > 200);
        QCOMPARE(savedTheme(), Theme::Light);
        QVERIFY(!isDark(Theme::Light));
        QVERIFY(isDark(Theme::Dark));
    }
};

QTEST_MAIN(TstPreferences)
#include "tst_preferences.moc"
