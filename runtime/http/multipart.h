#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace qd {

// One part of a multipart/form-data body (RFC 7578).
struct MultipartPart {
    QByteArray name; // the form field's name
    QString filename; // as sent, may be empty
    QByteArray contentType; // as sent, may be empty
    QByteArray data;
    bool file = false; // the part had a filename parameter

    bool isFile() const { return file; }
};

struct MultipartForm {
    QList<MultipartPart> parts;
    QString error; // empty when the body parsed; says what is wrong otherwise
};

// The boundary parameter of a multipart/form-data Content-Type; empty when there is none.
QByteArray multipartBoundary(const QByteArray &contentTypeHeader);

// Pure parsing, no event loop: a malformed body yields an error, never a partial form.
MultipartForm parseMultipart(const QByteArray &body, const QByteArray &boundary);

} // namespace qd
