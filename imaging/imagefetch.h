#pragma once

#include "addresspolicy.h"
#include "imagepipeline.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;
class QNetworkReply;

namespace qd {

// Resolves a host name and calls `done` with its addresses, or with an empty list and an
// error text; on `context`'s thread, later, and never once `context` is gone. The image
// consumer's only way to turn a name into addresses, so that a test can map a name to any
// address without asking DNS (and without sending a packet anywhere).
using HostLookupDone = std::function<void(const QList<QHostAddress> &addresses, const QString &error)>;
using HostLookup = std::function<void(const QString &host, QObject *context, HostLookupDone done)>;

// DNS through QHostInfo, asynchronously.
HostLookup systemHostLookup();

// "30 s", "300 ms": how long a timeout was, as a person would say it.
QString describeDuration(int ms);
// "25 MB", "65536 bytes": a size limit as it was set.
QString describeLimit(qint64 bytes);

// One download over http or https. It follows redirects itself, so that before every hop
// it resolves the host and checks each of its addresses against the policy, and then
// connects to the very address it checked, keeping the name in the Host header and as the
// TLS peer name: a DNS answer that changes between the check and the connection (DNS
// rebinding) cannot take it anywhere else.
class ImageFetch final : public QObject {
    Q_OBJECT
public:
    struct Result {
        QByteArray data;
        QByteArray contentType;
        QString finalUrl; // after redirects, with the host name as the URL had it
        QString error; // empty on success, otherwise words a person can act on
        qint64 fetchNs = 0;
    };
    using DoneFn = std::function<void(Result)>;

    ImageFetch(QNetworkAccessManager *network, HostLookup lookup, const AddressPolicy &policy,
        const ImagePipelineSettings &settings, QObject *parent = nullptr);
    ~ImageFetch() override;

    // Calls `done` exactly once, and never from inside start().
    void start(const QUrl &url, DoneFn done);

private:
    void hop(const QUrl &url);
    void connectTo(const QHostAddress &address);
    void replyFinished();
    QString redirectError(const QUrl &next) const;
    QString httpError(QNetworkReply *reply) const;
    void finish(const QString &error);

    QNetworkAccessManager *m_network;
    HostLookup m_lookup;
    AddressPolicy m_policy;
    ImagePipelineSettings m_settings;
    DoneFn m_done;
    QUrl m_firstUrl;
    QUrl m_url; // this hop's, as the URL names it (the request goes to its address)
    int m_redirects = 0;
    QElapsedTimer m_timer;
    QPointer<QNetworkReply> m_reply;
    QByteArray m_data;
    QByteArray m_contentType;
    bool m_timedOut = false;
    bool m_tooLarge = false;
    bool m_finished = false;
};

} // namespace qd
