#include "multipart.h"

namespace qd {

namespace {

// Splits `a=1; b="x;y"` into parameters, honouring quotes and backslash escapes.
QList<std::pair<QByteArray, QByteArray>> headerParameters(const QByteArray &value)
{
    QList<std::pair<QByteArray, QByteArray>> out;
    QByteArray name;
    QByteArray current;
    bool inQuotes = false;
    bool inValue = false;
    const auto flush = [&] {
        if (inValue)
            out.append({ name.trimmed().toLower(), current });
        else if (!current.trimmed().isEmpty())
            out.append({ current.trimmed().toLower(), QByteArray() });
        name.clear();
        current.clear();
        inValue = false;
    };
    for (qsizetype i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (inQuotes) {
            if (c == '\\' && i + 1 < value.size())
                current += value[++i];
            else if (c == '"')
                inQuotes = false;
            else
                current += c;
        } else if (c == '"') {
            inQuotes = true;
        } else if (c == ';') {
            flush();
        } else if (c == '=' && !inValue) {
            name = current;
            current.clear();
            inValue = true;
        } else if (!(inValue && current.isEmpty() && (c == ' ' || c == '\t'))) {
            current += c;
        }
    }
    flush();
    return out;
}

} // namespace

QByteArray multipartBoundary(const QByteArray &contentTypeHeader)
{
    const auto params = headerParameters(contentTypeHeader);
    if (params.isEmpty() || params.first().first != "multipart/form-data")
        return {};
    for (const auto &[name, value] : params) {
        if (name == "boundary")
            return value.trimmed();
    }
    return {};
}

MultipartForm parseMultipart(const QByteArray &body, const QByteArray &boundary)
{
    MultipartForm form;
    if (boundary.isEmpty() || boundary.size() > 200) {
        form.error = QStringLiteral("multipart/form-data needs a boundary of 1 to 200 characters");
        return form;
    }
    const QByteArray delimiter = "--" + boundary;
    const QByteArray nextDelimiter = "\r\n" + delimiter;
    const auto fail = [&form](const QString &error) {
        form.parts.clear();
        form.error = error;
        return form;
    };
    qsizetype pos = 0;
    if (body.startsWith(delimiter)) {
        pos = delimiter.size();
    } else {
        pos = body.indexOf(nextDelimiter); // after a preamble
        if (pos < 0)
            return fail(QStringLiteral("the multipart body does not contain its boundary"));
        pos += nextDelimiter.size();
    }
    while (true) {
        if (body.mid(pos, 2) == "--")
            return form; // the closing delimiter
        if (body.mid(pos, 2) != "\r\n")
            return fail(
                QStringLiteral("malformed multipart body: a boundary is not followed by a line break"));
        pos += 2;
        const qsizetype dataEnd = body.indexOf(nextDelimiter, pos);
        if (dataEnd < 0)
            return fail(QStringLiteral("the multipart body ends before its closing boundary"));
        QByteArray head;
        qsizetype dataStart = 0;
        if (body.mid(pos, 2) == "\r\n") {
            dataStart = pos + 2; // a part without headers
            if (dataStart > dataEnd)
                return fail(QStringLiteral("malformed multipart body: an empty part"));
        } else {
            const qsizetype headEnd = body.indexOf("\r\n\r\n", pos);
            if (headEnd < 0 || headEnd + 4 > dataEnd)
                return fail(QStringLiteral("malformed multipart body: a part's headers do not end"));
            head = body.mid(pos, headEnd - pos);
            dataStart = headEnd + 4;
        }
        MultipartPart part;
        const QList<QByteArray> lines = head.split('\n');
        for (const QByteArray &rawLine : lines) {
            const QByteArray line = rawLine.trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (name == "content-type") {
                part.contentType = value;
            } else if (name == "content-disposition") {
                for (const auto &[key, v] : headerParameters(value)) {
                    if (key == "name")
                        part.name = v;
                    else if (key == "filename") {
                        part.filename = QString::fromUtf8(v);
                        part.file = true;
                    }
                }
            }
        }
        part.data = body.mid(dataStart, dataEnd - dataStart);
        form.parts.append(std::move(part));
        pos = dataEnd + nextDelimiter.size();
    }
}

} // namespace qd
