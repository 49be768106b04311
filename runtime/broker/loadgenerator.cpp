#include "loadgenerator.h"

#include "broker.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

#include <cmath>

namespace qd {

namespace {

constexpr int kTickMs = 20;

QString missingBlobUrl(const QString &blobBase, qint64 index)
{
    // 64 hex digits that no stored blob is likely to have, different per job.
    const QString hex = QStringLiteral("%1%2")
                            .arg(quint64(QRandomGenerator::global()->generate64()), 16, 16, QLatin1Char('0'))
                            .arg(quint64(index), 16, 16, QLatin1Char('0'));
    return blobBase + hex.repeated(2);
}

} // namespace

LoadGenerator::LoadGenerator(Broker *broker, QObject *parent)
    : QObject(parent)
    , m_broker(broker)
    , m_timer(this) // a child, so it moves to the runtime thread with this object
{
    m_timer.setInterval(kTickMs);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &LoadGenerator::tick);
}

bool LoadGenerator::isBad(qint64 index, double badShare)
{
    if (badShare <= 0)
        return false;
    if (badShare >= 1)
        return true;
    return std::floor(double(index + 1) * badShare) > std::floor(double(index) * badShare);
}

void LoadGenerator::start(const LoadPlan &plan)
{
    m_timer.stop();
    m_plan = plan;
    m_sent = 0;
    if (m_plan.count <= 0 || m_plan.ratePerSecond <= 0) {
        end(false, QStringLiteral("a run needs a count and a rate above zero"));
        return;
    }
    if (m_plan.urls.isEmpty() && m_plan.badShare < 1) {
        end(false, QStringLiteral("no image URLs to send"));
        return;
    }
    m_elapsed.start();
    m_timer.start();
    tick(); // the first job goes at once
}

void LoadGenerator::stop()
{
    if (m_timer.isActive())
        end(true, {});
}

void LoadGenerator::tick()
{
    // Jobs due so far at the planned rate; the first is due at time zero.
    const double seconds = double(m_elapsed.nsecsElapsed()) / 1e9;
    const qint64 due = std::min<qint64>(m_plan.count, qint64(std::floor(seconds * m_plan.ratePerSecond)) + 1);
    while (m_sent < due) {
        std::vector<SendItem> items;
        const qint64 chunk = std::min<qint64>(due - m_sent, kMaxBatchMessages);
        items.reserve(std::size_t(chunk));
        for (qint64 i = m_sent; i < m_sent + chunk; ++i) {
            const QString url = isBad(i, m_plan.badShare) || m_plan.urls.isEmpty()
                ? missingBlobUrl(m_plan.blobBase, i)
                : m_plan.urls.at(qsizetype(i % m_plan.urls.size()));
            const QJsonObject body { { QStringLiteral("imageUrl"), url },
                { QStringLiteral("userId"), m_plan.userId } };
            items.push_back(SendItem {
                QJsonDocument(body).toJson(QJsonDocument::Compact), ContentType::Json, std::nullopt });
        }
        if (const Error e
            = m_broker->send(m_plan.queue, std::move(items), std::nullopt, [](const Error &) {});
            e.isError()) {
            end(false, e.message);
            return;
        }
        m_sent += chunk;
    }
    emit progress(m_sent, m_plan.count);
    if (m_sent >= m_plan.count)
        end(false, {});
}

void LoadGenerator::end(bool stopped, const QString &error)
{
    m_timer.stop();
    emit finished(m_sent, m_plan.count, stopped, error);
}

} // namespace qd
