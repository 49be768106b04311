#include "messagetriage.h"

#include "bulkprogress.h"
#include "confirmbar.h"
#include "messagefilterbar.h"
#include "messageformat.h"
#include "messagequery.h"
#include "messagetablemodel.h"
#include "messagetableview.h"
#include "operatoractions.h"

#include <QAbstractButton>
#include <QDir>
#include <QFileDialog>
#include <QLocale>
#include <QMenu>
#include <QSet>

namespace qd {

MessageTriage::MessageTriage(MessageQuery *query, OperatorActions *actions, MessageTableModel *model,
    MessageTableView *view, ConfirmBar *confirm, BulkProgress *progress, QObject *parent)
    : QObject(parent)
    , m_query(query)
    , m_actions(actions)
    , m_model(model)
    , m_view(view)
    , m_confirm(confirm)
    , m_progress(progress)
    , m_ticket(quint64(reinterpret_cast<quintptr>(this)) << 16)
{
    connect(m_query, &MessageQuery::countReady, this, [this](quint64 ticket, qint64 count) {
        const auto it = m_counts.find(ticket);
        if (it == m_counts.end())
            return;
        const auto then = std::move(it->second);
        m_counts.erase(it);
        then(count);
    });
    connect(m_query, &MessageQuery::rowsReady, this,
        [this](quint64 ticket, const QList<qint64> &seqs, const QStringList &ids) {
            const auto it = m_rows.find(ticket);
            if (it == m_rows.end())
                return;
            const auto then = std::move(it->second);
            m_rows.erase(it);
            then(ids, seqs);
        });
    connect(m_query, &MessageQuery::exportFinished, this,
        [this](quint64 ticket, qint64 written, const QString &error) {
            const auto it = m_exports.find(ticket);
            if (it == m_exports.end())
                return;
            const QString path = it->second;
            m_exports.erase(it);
            emit notice(error.isEmpty()
                    ? tr("Exported %1 messages to %2").arg(QLocale().toString(written), path)
                    : error);
        });
}

quint64 MessageTriage::nextTicket()
{
    return ++m_ticket;
}

QString MessageTriage::delayText(int delaySeconds)
{
    if (delaySeconds <= 0)
        return {};
    if (delaySeconds % 3600 == 0)
        return countText(delaySeconds / 3600, tr(" in %1 hour"), tr(" in %1 hours"));
    if (delaySeconds % 60 == 0)
        return countText(delaySeconds / 60, tr(" in %1 minute"), tr(" in %1 minutes"));
    return countText(delaySeconds, tr(" in %1 second"), tr(" in %1 seconds"));
}

void MessageTriage::resolve(const QList<int> &rows, Resolved then)
{
    QStringList ids;
    QList<qint64> seqs;
    // Marked messages whose rows are not loaded (scrolled far away) are still picked.
    QSet<qint64> loaded;
    for (int row : m_model->markedRows())
        loaded.insert(m_model->rowAt(row)->seq);
    for (const auto &[seq, id] : m_model->marks()) {
        if (!loaded.contains(seq)) {
            ids.append(id);
            seqs.append(seq);
        }
    }
    QList<std::pair<qint64, qint64>> unloaded;
    for (int row : rows) {
        if (const auto r = m_model->rowAt(row)) {
            ids.append(r->id);
            seqs.append(r->seq);
        } else if (!unloaded.isEmpty() && unloaded.back().second == row - 1) {
            unloaded.back().second = row;
        } else {
            unloaded.append({ row, row });
        }
    }
    if (unloaded.isEmpty()) {
        then(ids, seqs);
        return;
    }
    const quint64 ticket = nextTicket();
    m_rows.emplace(ticket,
        [ids, seqs, then = std::move(then)](const QStringList &moreIds, const QList<qint64> &moreSeqs) {
            then(ids + moreIds, seqs + moreSeqs);
        });
    m_query->requestRows(ticket, m_model->filter(), unloaded);
}

void MessageTriage::countThen(const MessageFilter &filter, std::function<void(qint64)> then)
{
    const quint64 ticket = nextTicket();
    m_counts.emplace(ticket, std::move(then));
    m_query->requestCount(ticket, filter);
}

void MessageTriage::connectPage(
    QWidget *page, MessageFilterBar *filterBar, QAbstractButton *retry, QAbstractButton *remove)
{
    connect(m_view, &MessageTableView::retryRequested, this, [this] { retryPicked(); });
    connect(m_view, &MessageTableView::deleteRequested, this, &MessageTriage::deletePicked);
    connect(m_view, &MessageTableView::searchRequested, filterBar, &MessageFilterBar::focusSearch);
    connect(retry, &QAbstractButton::clicked, this, [this] { retryPicked(); });
    connect(remove, &QAbstractButton::clicked, this, &MessageTriage::deletePicked);
    connect(m_actions, &OperatorActions::finished, this,
        [this, page](const QString &summary, const QString &error) {
            if (!page->isVisible() && error.isEmpty())
                return;
            emit notice(error.isEmpty() ? summary : error);
        });
    connect(m_progress, &BulkProgress::finished, this, [this](qint64 done, qint64 total, bool cancelled) {
        emit notice(cancelled
                ? tr("Cancelled: %1 of %2 retried").arg(QLocale().toString(done), QLocale().toString(total))
                : tr("Retried %1 messages").arg(QLocale().toString(done)));
    });
}

void MessageTriage::retryPicked(int delaySeconds)
{
    const QList<int> rows = m_view->pickedRows();
    if (m_view->pickedCount() == 0) {
        emit notice(tr("Select the messages to retry first."));
        return;
    }
    const int count = m_view->pickedCount();
    const auto go = [this, rows, delaySeconds] {
        resolve(rows, [this, delaySeconds](const QStringList &ids, const QList<qint64> &seqs) {
            m_model->clearMarks();
            if (ids.size() <= kDirectLimit) {
                m_actions->retry(ids, delaySeconds);
            } else {
                m_progress->expect(true);
                m_actions->retrySeqs(seqs, delaySeconds);
            }
        });
    };
    if (count == 1) {
        go();
        return;
    }
    m_confirm->ask(tr("Retry %1 selected messages%2? Only failed and dead-lettered ones are touched.")
                       .arg(QLocale().toString(count), delayText(delaySeconds)),
        tr("Retry %1").arg(QLocale().toString(count)), go);
}

void MessageTriage::deletePicked()
{
    const QList<int> rows = m_view->pickedRows();
    if (m_view->pickedCount() == 0) {
        emit notice(tr("Select the messages to delete first."));
        return;
    }
    const int count = m_view->pickedCount();
    m_confirm->ask(
        countText(count, tr("Delete %1 message for good?"), tr("Delete %1 messages for good?"))
            + tr(" Their bodies and attempts cannot be brought back."),
        tr("Delete %1").arg(QLocale().toString(count)),
        [this, rows] {
            resolve(rows, [this](const QStringList &ids, const QList<qint64> &) {
                m_model->clearMarks();
                m_actions->remove(ids);
            });
        },
        true);
}

void MessageTriage::retryMatching(int delaySeconds)
{
    MessageFilter filter = m_model->filter();
    if (filter.state == StateFilter::Any && !filter.deadLettered)
        filter.failures = true;
    countThen(filter, [this, filter, delaySeconds](qint64 count) {
        if (count == 0) {
            emit notice(tr("Nothing matching this filter can be retried."));
            return;
        }
        m_confirm->ask(
            tr("Retry all %1 failed and dead-lettered messages matching this filter%2? They go in chunks of "
               "1,000, and you can cancel.")
                .arg(QLocale().toString(count), delayText(delaySeconds)),
            tr("Retry %1").arg(QLocale().toString(count)), [this, filter, delaySeconds] {
                m_progress->expect(true);
                m_actions->retryMatching(filter, delaySeconds);
            });
    });
}

void MessageTriage::retrySeqs(const QList<qint64> &seqs, const QString &what, int delaySeconds)
{
    if (seqs.isEmpty())
        return;
    m_confirm->ask(tr("Retry all %1 messages of %2%3?")
                       .arg(QLocale().toString(seqs.size()), what, delayText(delaySeconds)),
        tr("Retry %1").arg(QLocale().toString(seqs.size())), [this, seqs, delaySeconds] {
            m_progress->expect(true);
            m_actions->retrySeqs(seqs, delaySeconds);
        });
}

void MessageTriage::exportPicked(const QString &path)
{
    const QList<int> rows = m_view->pickedRows();
    if (m_view->pickedCount() == 0) {
        emit notice(tr("Select the messages to export first."));
        return;
    }
    resolve(rows, [this, path](const QStringList &, const QList<qint64> &seqs) {
        const quint64 ticket = nextTicket();
        m_exports.emplace(ticket, path);
        m_query->requestExport(ticket, {}, seqs, path);
    });
}

void MessageTriage::fillExportMenu(QMenu *menu, QWidget *dialogParent, const QString &defaultName)
{
    const auto askPath = [dialogParent, defaultName] {
        return QFileDialog::getSaveFileName(dialogParent, tr("Export messages as JSON Lines"),
            QDir::home().filePath(defaultName), tr("JSON Lines (*.jsonl)"));
    };
    menu->addAction(tr("Selected messages…"), this, [this, askPath] {
        if (const QString path = askPath(); !path.isEmpty())
            exportPicked(path);
    });
    menu->addAction(tr("Everything matching the filter…"), this, [this, askPath] {
        if (const QString path = askPath(); !path.isEmpty())
            exportMatching(path);
    });
}

void MessageTriage::exportMatching(const QString &path)
{
    const quint64 ticket = nextTicket();
    m_exports.emplace(ticket, path);
    m_query->requestExport(ticket, m_model->filter(), {}, path);
}

} // namespace qd
