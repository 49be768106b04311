#include "imagefetch.h"

#include "httpserver.h"

#include <QHostInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace qd {

namespace {

bool isRedirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool isHttp(const QString &scheme)
{
    return scheme == QLatin1String("http") || scheme == QLatin1String("https");
}

} // namespace

QString describeDuration(int ms)
{
    return ms % 1000 == 0 ? QStringLiteral("%1 s").arg(ms / 1000) : QStringLiteral("%1 ms").arg(ms);
}

QString describeLimit(qint64 bytes)
{
    return bytes % (qint64(1024) * 1024) == 0 ? QStringLiteral("%1 MB").arg(bytes / (qint64(1024) * 1024))
                                              : QStringLiteral("%1 bytes").arg(bytes);
}

HostLookup systemHostLookup()
{
    return [](const QString &host, QObject *context, HostLookupDone done) {
        QHostInfo::lookupHost(host, context, [done = std::move(done)](const QHostInfo &info) {
            done(info.addresses(), info.error() == QHostInfo::NoError ? QString() : info.errorString());
        });
    };
}

ImageFetch::ImageFetch(QNetworkAccessManager *network, HostLookup lookup, const AddressPolicy &policy,
    const ImagePipelineSettings &settings, QObject *parent)
    : QObject(parent)
    , m_network(network)
    , m_lookup(std::move(lookup))
    , m_policy(policy)
    , m_settings(settings)
{
}

ImageFetch::~ImageFetch()
{
    if (m_reply) {
        disconnect(m_reply, nullptr, this, nullptr);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void ImageFetch::start(const QUrl &url, DoneFn done)
{
    m_done = std::move(done);
    m_firstUrl = url;
    m_url = url;
    m_timer.start();
    // One deadline for every lookup, connection and read of every hop.
    QTimer::singleShot(m_settings.fetchTimeoutMs, this, [this] {
        if (m_finished)
            return;
        m_timedOut = true;
        if (m_reply)
            m_reply->abort(); // replyFinished() says why
        else
            finish(QStringLiteral("timed out after %1 waiting for host %2")
                       .arg(describeDuration(m_settings.fetchTimeoutMs), m_url.host()));
    });
    QMetaObject::invokeMethod(
        this, [this, url] { hop(url); }, Qt::QueuedConnection);
}

void ImageFetch::hop(const QUrl &url)
{
    m_url = url;
    const QString host = url.host();
    if (host.isEmpty()) {
        finish(QStringLiteral("imageUrl has no host: %1").arg(url.toString()));
        return;
    }
    const auto check = [this](const QList<QHostAddress> &addresses) {
        // Every address the name has, not only the one connected to: a name that also
        // points inside is not one to trust with the others.
        for (const QHostAddress &address : addresses) {
            if (const QString why = m_policy.refusal(address); !why.isEmpty()) {
                finish(m_redirects == 0
                        ? QStringLiteral("refused to fetch %1: %2").arg(m_url.toDisplayString(), why)
                        : QStringLiteral("refused to fetch %1 (redirected from host %2): %3")
                              .arg(m_url.toDisplayString(), m_firstUrl.host(), why));
                return;
            }
        }
        connectTo(addresses.first());
    };
    if (const QHostAddress literal(host); !literal.isNull()) {
        check({ literal });
        return;
    }
    m_lookup(host, this, [this, check](const QList<QHostAddress> &addresses, const QString &) {
        if (m_finished)
            return;
        if (addresses.isEmpty())
            finish(QStringLiteral("host %1 not found (check the URL's host name)").arg(m_url.host()));
        else
            check(addresses);
    });
}

void ImageFetch::connectTo(const QHostAddress &address)
{
    // The request goes to the address just checked; the server still sees the name.
    QUrl target = m_url;
    target.setHost(address.toString());
    QNetworkRequest request(target);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    // HTTP/2 takes :authority from the URL, which now holds the address, not the name.
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setRawHeader(
        "Host", m_url.adjusted(QUrl::RemoveUserInfo).authority(QUrl::FullyEncoded).toLatin1());
    if (m_url.scheme() == QLatin1String("https"))
        request.setPeerVerifyName(m_url.host()); // SNI and the certificate check use the name
    request.setRawHeader("User-Agent", "QueueDeck-image");
    request.setRawHeader("Accept", "image/*, */*;q=0.5");
    m_data.clear();
    m_reply = m_network->get(request);
    QNetworkReply *reply = m_reply;
    const qint64 maxBytes = m_settings.maxImageBytes;
    const auto succeeded = [reply] {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        return status >= 200 && status < 300;
    };
    connect(reply, &QNetworkReply::metaDataChanged, this, [this, reply, succeeded, maxBytes] {
        if (succeeded() && reply->header(QNetworkRequest::ContentLengthHeader).toLongLong() > maxBytes) {
            m_tooLarge = true;
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::readyRead, this, [this, reply, succeeded, maxBytes] {
        const QByteArray chunk = reply->readAll();
        if (!succeeded())
            return; // the body of a redirect or an error page is never needed
        m_data += chunk;
        if (m_data.size() > maxBytes) {
            m_tooLarge = true;
            m_data.clear();
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::finished, this, &ImageFetch::replyFinished);
}

void ImageFetch::replyFinished()
{
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    if (!reply)
        return;
    reply->deleteLater();
    if (m_finished)
        return;
    if (m_timedOut) {
        finish(QStringLiteral("timed out after %1 waiting for host %2")
                   .arg(describeDuration(m_settings.fetchTimeoutMs), m_url.host()));
        return;
    }
    if (m_tooLarge) {
        finish(QStringLiteral("image too large: the download from host %1 exceeds the limit of %2")
                   .arg(m_url.host(), describeLimit(m_settings.maxImageBytes)));
        return;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray location = reply->rawHeader("Location");
    if (isRedirect(status) && !location.isEmpty()) {
        if (m_redirects >= m_settings.maxRedirects) {
            finish(QStringLiteral("too many redirects (more than %1) starting at host %2")
                       .arg(m_settings.maxRedirects)
                       .arg(m_firstUrl.host()));
            return;
        }
        // Relative to the URL as named, not to the address the request went to.
        const QUrl next = m_url.resolved(QUrl::fromEncoded(location));
        if (const QString error = redirectError(next); !error.isEmpty()) {
            finish(error);
            return;
        }
        ++m_redirects;
        hop(next);
        return;
    }
    if (const QString error = httpError(reply); !error.isEmpty()) {
        finish(error);
        return;
    }
    m_data += reply->readAll();
    m_contentType = reply->rawHeader("Content-Type");
    finish({});
}

QString ImageFetch::redirectError(const QUrl &next) const
{
    const QString scheme = next.scheme().toLower();
    if (!next.isValid() || scheme.isEmpty())
        return QStringLiteral("host %1 sent a redirect to an invalid URL").arg(m_url.host());
    if (scheme == QLatin1String("file"))
        return QStringLiteral("redirect to a local file refused: host %1 redirected to %2")
            .arg(m_url.host(), next.toDisplayString());
    if (!isHttp(scheme))
        return QStringLiteral("redirect to a %1:// URL refused: host %2 may redirect only to http or https")
            .arg(scheme, m_url.host());
    if (m_url.scheme() == QLatin1String("https") && scheme == QLatin1String("http"))
        return QStringLiteral("refused a redirect from https to plain http at host %1").arg(m_url.host());
    return {};
}

QString ImageFetch::httpError(QNetworkReply *reply) const
{
    const QString host = m_url.host();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 300) {
        QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        if (reason.isEmpty())
            reason = QString::fromLatin1(httpStatusText(status));
        return QStringLiteral("HTTP %1 %2 from host %3").arg(status).arg(reason, host);
    }
    switch (reply->error()) {
    case QNetworkReply::NoError:
        return status == 0 || (status >= 200 && status < 300)
            ? QString()
            : QStringLiteral("HTTP %1 from host %2: not an image response").arg(status).arg(host);
    case QNetworkReply::ConnectionRefusedError:
        return QStringLiteral("host %1 refused the connection (is the server running on port %2?)")
            .arg(host)
            .arg(m_url.port(m_url.scheme() == QLatin1String("https") ? 443 : 80));
    case QNetworkReply::HostNotFoundError:
        return QStringLiteral("host %1 not found (check the URL's host name)").arg(host);
    case QNetworkReply::RemoteHostClosedError:
        return QStringLiteral("host %1 closed the connection before the image arrived").arg(host);
    case QNetworkReply::SslHandshakeFailedError:
        return QStringLiteral("TLS handshake with host %1 failed: %2").arg(host, reply->errorString());
    default:
        return QStringLiteral("fetching from host %1 failed: %2").arg(host, reply->errorString());
    }
}

void ImageFetch::finish(const QString &error)
{
    if (m_finished)
        return;
    m_finished = true;
    Result result;
    result.error = error;
    if (error.isEmpty()) {
        result.data = std::move(m_data);
        result.contentType = m_contentType;
        result.finalUrl = m_url.toString();
    }
    result.fetchNs = m_timer.nsecsElapsed();
    const DoneFn done = std::move(m_done);
    done(std::move(result));
}

} // namespace qd
