#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace qd {

// Records what a consumer's handler did with a batch, in call order, and resolves each
// message's fate by the rules of docs/semantics.md ("Outcome of a batch"):
// - the first call on a message wins; a per-message call beats a batch call;
// - the first batch call wins over a later batch call;
// - a handler that returns acks all not retried; one that throws retries all not acked.
class BatchOutcome {
public:
    enum class Verdict { Ack, Retry };
    struct Resolved {
        Verdict verdict = Verdict::Ack;
        std::optional<int> delaySeconds; // per-message, else retryAll's; unset = consumer default
    };

    void ack(const QString &messageId);
    // `error` says why this one message failed (a consumer that knows per message).
    void retry(
        const QString &messageId, std::optional<int> delaySeconds = std::nullopt, const QString &error = {});
    void ackAll();
    void retryAll(std::optional<int> delaySeconds = std::nullopt);
    // The handler threw (or timed out, or the webhook answered non-2xx), with this error.
    void fail(const QString &error);

    bool failed() const { return m_failed; }
    QString error() const { return m_error; }
    // The error recorded for a retried message: the handler's, or a plain "retried".
    QString retryReason() const;
    // The error recorded for this retried message: its own, else the batch's.
    QString retryReason(const QString &messageId) const;

    Resolved resolve(const QString &messageId) const;

    // What the handler printed while it ran (a Worker's console lines, its exception's
    // stack); every message of the batch keeps them with this attempt.
    void setLogs(QStringList lines) { m_logs = std::move(lines); }
    const QStringList &logs() const { return m_logs; }

private:
    struct Call {
        Verdict verdict;
        std::optional<int> delaySeconds;
        QString error;
    };
    QHash<QString, Call> m_perMessage;
    std::optional<Call> m_batchCall;
    bool m_failed = false;
    QString m_error;
    QStringList m_logs;
};

} // namespace qd
