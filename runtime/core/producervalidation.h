#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace qd {

// The seed producer's job: {"imageUrl", "userId"}. Pure validation, no event loop.
struct ImageJob {
    QString imageUrl;
    QString userId;
};

struct JobValidation {
    ImageJob job;
    QString error; // empty when valid; names the field otherwise
};

// `blobBase` is this server's own blob URL prefix (e.g. "http://127.0.0.1:8787/blobs/").
JobValidation validateImageJob(const QByteArray &body, const QString &blobBase = {});
// Only absolute http(s) URLs with a host, or this server's blobs.
QString validateImageUrl(const QString &url, const QString &blobBase = {});

} // namespace qd
