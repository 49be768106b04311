#include "v8serialized.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>
#include <QtEndian>

#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

// The wire format is V8's, src/objects/value-serializer.cc: one tag byte per value, lengths
// and counts as base-128 varints, numbers in host (little-endian) byte order.

namespace qd {

namespace {

constexpr quint32 kOldestVersion = 13; // explicit host-object tag; older data reads differently
constexpr quint32 kNewestVersion = 15;
constexpr int kMaxDepth = 256;
// Object references can share one subtree many times over; past this many values the
// JSON would be too big to show, however few bytes it came from.
constexpr qsizetype kMaxValues = 200'000;

// Tags JSON has no form for, named for the note.
QString unsupportedName(char tag)
{
    switch (tag) {
    case 'Z':
        return QStringLiteral("a BigInt");
    case 'z':
        return QStringLiteral("a boxed BigInt");
    case ';':
        return QStringLiteral("a Map");
    case '\'':
        return QStringLiteral("a Set");
    case 'B':
    case '~':
    case 't':
        return QStringLiteral("an ArrayBuffer");
    case 'u':
        return QStringLiteral("a SharedArrayBuffer");
    case 'V':
        return QStringLiteral("an ArrayBuffer view");
    case '\\':
        return QStringLiteral("a host object (such as a typed array)");
    case 'R':
        return QStringLiteral("a RegExp");
    case 'r':
        return QStringLiteral("an Error");
    case 'p':
        return QStringLiteral("a shared object");
    case 'w':
    case 'm':
        return QStringLiteral("a WebAssembly object");
    default:
        return {};
    }
}

// JavaScript's Date.prototype.toISOString: four-digit years, or a sign and six digits
// outside 0..9999; astronomical year numbering (QDate has no year 0).
QString isoDate(double ms)
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(qint64(ms), Qt::UTC);
    int year = t.date().year();
    if (year < 0)
        ++year;
    const QString rest = t.toString(QStringLiteral("-MM-ddTHH:mm:ss.zzzZ"));
    if (year >= 0 && year <= 9999)
        return QStringLiteral("%1").arg(year, 4, 10, QLatin1Char('0')) + rest;
    return (year < 0 ? QStringLiteral("-") : QStringLiteral("+"))
        + QStringLiteral("%1").arg(std::abs(year), 6, 10, QLatin1Char('0')) + rest;
}

class V8Reader final {
public:
    explicit V8Reader(const QByteArray &bytes)
        : m_data(reinterpret_cast<const uchar *>(bytes.constData()))
        , m_size(bytes.size())
    {
    }

    V8Decoded decode()
    {
        if (m_size == 0)
            return failed(QStringLiteral("is empty"));
        if (m_data[0] == 0xFF) {
            ++m_pos;
            quint32 version = 0;
            if (!readVarint(&version))
                return failed(m_failure);
            if (version > kNewestVersion)
                return failed(QStringLiteral("is in format version %1, newer than this reader knows (%2)")
                                  .arg(version)
                                  .arg(kNewestVersion));
            if (version < kOldestVersion)
                return failed(QStringLiteral("is in format version %1, older than this reader knows (%2)")
                                  .arg(version)
                                  .arg(kOldestVersion));
        }
        QJsonValue value;
        if (!readValue(&value, 0))
            return failed(m_failure);
        skipPadding();
        if (m_pos < m_size)
            return failed(QStringLiteral("has %1 bytes after the value").arg(m_size - m_pos));
        V8Decoded out;
        out.value = value;
        out.note = m_remarks.join(QStringLiteral("; "));
        return out;
    }

private:
    struct Entry {
        QJsonValue value;
        qsizetype values = 0; // how many values it expands to, for the budget
        bool done = false;
    };

    static V8Decoded failed(const QString &note) { return { std::nullopt, note }; }

    bool fail(const QString &note)
    {
        if (m_failure.isEmpty())
            m_failure = note;
        return false;
    }
    bool malformed(const QString &what)
    {
        return fail(QStringLiteral("is not valid V8 serialization: %1 at byte %2").arg(what).arg(m_pos));
    }
    void remark(const QString &text)
    {
        if (!m_remarks.contains(text))
            m_remarks << text;
    }
    bool count(qsizetype n)
    {
        m_values += n;
        return m_values <= kMaxValues
            || fail(QStringLiteral("expands to more than %1 values, too many to show").arg(kMaxValues));
    }

    void skipPadding()
    {
        while (m_pos < m_size && m_data[m_pos] == 0x00)
            ++m_pos;
    }
    bool readTag(char *tag)
    {
        skipPadding();
        if (m_pos >= m_size)
            return malformed(QStringLiteral("ends where a value should start"));
        *tag = char(m_data[m_pos++]);
        return true;
    }
    bool peekTag(char *tag)
    {
        skipPadding();
        if (m_pos >= m_size)
            return malformed(QStringLiteral("ends where a value should start"));
        *tag = char(m_data[m_pos]);
        return true;
    }
    bool readVarint(quint32 *out)
    {
        quint32 value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (m_pos >= m_size)
                return malformed(QStringLiteral("ends inside a number"));
            const uchar b = m_data[m_pos++];
            value |= quint32(b & 0x7F) << shift;
            if (!(b & 0x80)) {
                *out = value;
                return true;
            }
        }
        return malformed(QStringLiteral("a number runs past 32 bits"));
    }
    bool readDouble(double *out)
    {
        if (m_size - m_pos < 8)
            return malformed(QStringLiteral("ends inside a double"));
        *out = std::bit_cast<double>(qFromLittleEndian<quint64>(m_data + m_pos));
        m_pos += 8;
        return true;
    }
    // Lengths are checked against what is left before anything is allocated.
    bool readLength(quint32 *length, const char *what)
    {
        if (!readVarint(length))
            return false;
        if (qsizetype(*length) > m_size - m_pos)
            return malformed(QStringLiteral("a %1 is longer than what is left").arg(QLatin1String(what)));
        return true;
    }
    bool readString(char tag, QString *out)
    {
        quint32 length = 0;
        if (!readLength(&length, "string"))
            return false;
        const auto *bytes = reinterpret_cast<const char *>(m_data + m_pos);
        if (tag == '"') {
            *out = QString::fromLatin1(bytes, length);
        } else if (tag == 'S') {
            *out = QString::fromUtf8(bytes, length);
        } else {
            if (length % 2 != 0)
                return malformed(QStringLiteral("a two-byte string has an odd length"));
            *out = QString(length / 2, Qt::Uninitialized);
            for (quint32 i = 0; i < length / 2; ++i)
                (*out)[i] = QChar(qFromLittleEndian<quint16>(m_data + m_pos + qsizetype(2) * i));
        }
        m_pos += length;
        return true;
    }
    QJsonValue finiteOrNull(double d)
    {
        if (std::isfinite(d))
            return d;
        remark(QStringLiteral("NaN and Infinity are shown as null"));
        return QJsonValue::Null;
    }

    qsizetype beginObject()
    {
        m_objects.push_back({});
        return qsizetype(m_objects.size()) - 1;
    }
    void endObject(qsizetype id, const QJsonValue &value, qsizetype valuesBefore)
    {
        m_objects[std::size_t(id)] = { value, m_values - valuesBefore, true };
    }

    bool readValue(QJsonValue *out, int depth)
    {
        if (depth > kMaxDepth)
            return fail(QStringLiteral("nests deeper than %1 levels").arg(kMaxDepth));
        if (!count(1))
            return false;
        char tag = 0;
        for (;;) {
            if (!readTag(&tag))
                return false;
            if (tag != '?')
                break;
            // An old object count check; V8 ignores it too.
            quint32 ignored = 0;
            if (!readVarint(&ignored))
                return false;
        }
        switch (tag) {
        case '_':
            remark(QStringLiteral("undefined is shown as null"));
            *out = QJsonValue::Null;
            return true;
        case '0':
            *out = QJsonValue::Null;
            return true;
        case 'T':
        case 'F':
            *out = tag == 'T';
            return true;
        case 'I': {
            quint32 zigzag = 0;
            if (!readVarint(&zigzag))
                return false;
            *out = qint64(qint32(zigzag >> 1) ^ -qint32(zigzag & 1));
            return true;
        }
        case 'U': {
            quint32 n = 0;
            if (!readVarint(&n))
                return false;
            *out = qint64(n);
            return true;
        }
        case 'N': {
            double d = 0;
            if (!readDouble(&d))
                return false;
            *out = finiteOrNull(d);
            return true;
        }
        case '"':
        case 'c':
        case 'S': {
            QString s;
            if (!readString(tag, &s))
                return false;
            *out = s;
            return true;
        }
        case '^': {
            quint32 id = 0;
            if (!readVarint(&id))
                return false;
            if (id >= m_objects.size())
                return malformed(QStringLiteral("a reference to object %1, which was not read").arg(id));
            const Entry &e = m_objects[id];
            if (!e.done)
                return fail(
                    QStringLiteral("contains an object that refers to itself, which is shown as bytes"));
            if (!count(e.values))
                return false;
            *out = e.value;
            return true;
        }
        case 'o':
            return readObject(out, depth);
        case 'A':
            return readDenseArray(out, depth);
        case 'a':
            return readSparseArray(out, depth);
        case 'D': {
            double ms = 0;
            if (!readDouble(&ms))
                return false;
            beginObject();
            // Date's own range, ±8.64e15 ms; outside it (or NaN) it is an Invalid Date.
            if (std::isfinite(ms) && std::abs(ms) <= 8.64e15) {
                *out = isoDate(ms);
            } else {
                remark(QStringLiteral("an invalid Date is shown as null"));
                *out = QJsonValue::Null;
            }
            m_objects.back() = { *out, 1, true };
            return true;
        }
        case 'y':
        case 'x':
        case 'n':
        case 's':
            return readBoxed(tag, out, depth);
        default:
            break;
        }
        const QString name = unsupportedName(tag);
        if (!name.isEmpty())
            return fail(QStringLiteral("contains %1, which is shown as bytes").arg(name));
        --m_pos;
        return malformed(QStringLiteral("unknown tag 0x%1").arg(uchar(tag), 2, 16, QLatin1Char('0')));
    }

    // new Boolean(true), new Number(1), new String("a"): JSON.stringify unwraps them too.
    bool readBoxed(char tag, QJsonValue *out, int depth)
    {
        const qsizetype id = beginObject();
        const qsizetype before = m_values;
        if (tag == 'y' || tag == 'x') {
            *out = tag == 'y';
        } else if (tag == 'n') {
            double d = 0;
            if (!readDouble(&d))
                return false;
            *out = finiteOrNull(d);
        } else {
            QJsonValue s;
            if (!readValue(&s, depth + 1))
                return false;
            if (!s.isString())
                return malformed(QStringLiteral("a String object holds no string"));
            *out = s;
        }
        endObject(id, *out, before - 1);
        return true;
    }

    // Keys are strings, or numbers for array indices (and integer-like object keys).
    bool readKey(QString *key, std::optional<quint32> *index, int depth)
    {
        QJsonValue k;
        if (!readValue(&k, depth + 1))
            return false;
        if (k.isString()) {
            *key = k.toString();
            return true;
        }
        if (!k.isDouble())
            return malformed(QStringLiteral("a property name is neither a string nor a number"));
        const double d = k.toDouble();
        if (d >= 0 && d < 4294967295.0 && d == std::floor(d)) {
            *index = quint32(d);
            *key = QString::number(**index);
        } else {
            *key = QString::number(d, 'g', 17);
        }
        return true;
    }

    // Reads key/value pairs up to `endTag`, then the count V8 wrote, which must match.
    template <typename Put> bool readProperties(char endTag, int depth, Put put)
    {
        quint32 read = 0;
        for (;;) {
            char tag = 0;
            if (!peekTag(&tag))
                return false;
            if (tag == endTag) {
                ++m_pos;
                break;
            }
            QString key;
            std::optional<quint32> index;
            QJsonValue value;
            if (!readKey(&key, &index, depth) || !readValue(&value, depth + 1))
                return false;
            put(key, index, value);
            ++read;
        }
        quint32 expected = 0;
        if (!readVarint(&expected))
            return false;
        if (expected != read)
            return malformed(QStringLiteral("a property count does not match"));
        return true;
    }

    bool readObject(QJsonValue *out, int depth)
    {
        const qsizetype id = beginObject();
        const qsizetype before = m_values - 1;
        QJsonObject o;
        if (!readProperties('{', depth,
                [&](const QString &key, std::optional<quint32>, const QJsonValue &v) { o.insert(key, v); }))
            return false;
        *out = o;
        endObject(id, *out, before);
        return true;
    }

    // What JSON.stringify does with an array's own properties: elements stay, the rest go.
    bool readArrayProperties(char endTag, QJsonArray *a, int depth, quint32 *elements = nullptr)
    {
        if (!readProperties(
                endTag, depth, [&](const QString &, std::optional<quint32> index, const QJsonValue &v) {
                    if (index && *index < a->size()) {
                        a->replace(*index, v);
                        if (elements)
                            ++*elements;
                    } else
                        remark(QStringLiteral("array properties that are not elements are not shown"));
                }))
            return false;
        quint32 length = 0;
        if (!readVarint(&length))
            return false;
        if (length != a->size())
            return malformed(QStringLiteral("an array's length does not match"));
        return true;
    }

    bool readDenseArray(QJsonValue *out, int depth)
    {
        const qsizetype before = m_values - 1;
        quint32 length = 0;
        if (!readLength(&length, "dense array")) // each element takes a byte at least
            return false;
        const qsizetype id = beginObject();
        QJsonArray a;
        for (quint32 i = 0; i < length; ++i) {
            char tag = 0;
            if (!peekTag(&tag))
                return false;
            if (tag == '-') {
                ++m_pos;
                remark(QStringLiteral("array holes are shown as null"));
                a.append(QJsonValue::Null);
                continue;
            }
            QJsonValue v;
            if (!readValue(&v, depth + 1))
                return false;
            a.append(v);
        }
        if (!readArrayProperties('$', &a, depth))
            return false;
        *out = a;
        endObject(id, *out, before);
        return true;
    }

    bool readSparseArray(QJsonValue *out, int depth)
    {
        const qsizetype before = m_values - 1;
        quint32 length = 0;
        if (!readVarint(&length))
            return false;
        // Holes cost no bytes, so the length is bounded by what can be shown instead.
        if (qsizetype(length) > kMaxValues - m_values)
            return fail(QStringLiteral("contains an array of length %1, too long to show").arg(length));
        if (!count(length))
            return false;
        const qsizetype id = beginObject();
        QJsonArray a;
        for (quint32 i = 0; i < length; ++i)
            a.append(QJsonValue::Null);
        quint32 elements = 0;
        if (!readArrayProperties('@', &a, depth, &elements))
            return false;
        if (elements < length)
            remark(QStringLiteral("array holes are shown as null"));
        *out = a;
        endObject(id, *out, before);
        return true;
    }

    const uchar *m_data;
    qsizetype m_size;
    qsizetype m_pos = 0;
    qsizetype m_values = 0;
    std::vector<Entry> m_objects; // by id, in the order V8 numbered them
    QString m_failure;
    QStringList m_remarks;
};

} // namespace

V8Decoded decodeV8Serialized(const QByteArray &bytes)
{
    return V8Reader(bytes).decode();
}

} // namespace qd
