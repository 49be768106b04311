#include "uploadlistmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace qd;

// The drop list's rows: grouped inserts, ranged updates, and keys that survive clearing.
class TstUploadListModel : public QObject {
    Q_OBJECT

    static QList<UploadListModel::Row> rows(int n)
    {
        QList<UploadListModel::Row> out;
        for (int i = 0; i < n; ++i) {
            UploadListModel::Row r;
            r.path = QStringLiteral("/tmp/f%1.png").arg(i);
            r.name = QStringLiteral("f%1.png").arg(i);
            out.append(r);
        }
        return out;
    }

    static UploadListModel::Change change(
        quint64 key, UploadState state, const QString &detail = {}, const QString &id = {})
    {
        UploadListModel::Change c;
        c.key = key;
        c.state = state;
        c.detail = detail;
        c.messageId = id;
        return c;
    }

private slots:
    void groupsInsertsAndUpdates()
    {
        UploadListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        const quint64 first = model.append(rows(50));
        QCOMPARE(model.rowCount(), 50);
        QCOMPARE(inserted.size(), 1);

        model.apply({ change(first + 3, UploadState::Uploading),
            change(first + 9, UploadState::Refused, QStringLiteral("too big")),
            change(first + 5, UploadState::Queued, {}, QStringLiteral("abc")) });
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 3);
        QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 9);
        QCOMPARE(model.finalCount(), 1);
        QCOMPARE(model.pendingMessages(), QStringList { QStringLiteral("abc") });
        QCOMPARE(model.data(model.index(9, UploadListModel::Status)).toString(),
            QStringLiteral("refused: too big"));
        QCOMPARE(model.data(model.index(5, UploadListModel::MessageId)).toString(), QStringLiteral("abc"));
        QCOMPARE(model.rowOfMessage(QStringLiteral("abc")), 5);

        // An update that changes nothing signals nothing.
        model.apply({ change(first + 9, UploadState::Refused, QStringLiteral("too big")) });
        QCOMPARE(changed.size(), 1);
    }

    void clearingKeepsKeys()
    {
        UploadListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const quint64 first = model.append(rows(6));
        model.apply(
            { change(first, UploadState::Done), change(first + 2, UploadState::Failed, QStringLiteral("404")),
                change(first + 4, UploadState::Processing, {}, QStringLiteral("m4")) });
        QCOMPARE(model.finalCount(), 2);
        model.clearFinished();
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.finalCount(), 0);
        QCOMPARE(model.rowOfKey(first + 4), 2);
        QCOMPARE(model.rowOfMessage(QStringLiteral("m4")), 2);
        QCOMPARE(model.rowOfKey(first), -1);
        model.apply({ change(first + 4, UploadState::Done, QStringLiteral("10×10 PNG")) });
        QCOMPARE(model.row(2).state, UploadState::Done);
        QCOMPARE(model.finalCount(), 1);
    }

    void sizesSortAsNumbers()
    {
        UploadListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const quint64 first = model.append(rows(2));
        UploadListModel::Change c = change(first, UploadState::Uploading);
        c.bytes = 2048;
        model.apply({ c });
        QCOMPARE(
            model.data(model.index(0, UploadListModel::Size), UploadListModel::SortRole).toLongLong(), 2048);
        QVERIFY(model.data(model.index(1, UploadListModel::Size)).toString().isEmpty());
    }
};

QTEST_MAIN(TstUploadListModel)
#include "tst_uploadlistmodel.moc"
