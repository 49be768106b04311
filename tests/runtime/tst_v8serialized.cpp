#include "v8serialized.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

// Every vector was written by real V8 (node 20, format version 15) with
//   node -e 'console.log(require("v8").serialize(VALUE).toString("hex"))'
// and VALUE as in the comment beside it.

namespace {
QJsonValue json(const char *text)
{
    // Any JSON value, not only objects: parse it inside an array.
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray("[") + text + ']');
    Q_ASSERT(doc.isArray());
    return doc.array().at(0);
}

// {name:"x",n:{a:[1,2],b:{c:true}}}
const char *const kNested
    = "ff0f6f22046e616d6522017822016e6f2201614102490249042400022201626f220163547b017b027b02";
} // namespace

class TstV8Serialized : public QObject {
    Q_OBJECT
private slots:
    void decodes_data()
    {
        QTest::addColumn<QByteArray>("hex");
        QTest::addColumn<QJsonValue>("expected");
        QTest::addColumn<QString>("note");
        const QString none;
        QTest::newRow("nested objects")
            << QByteArray(kNested) << json(R"({"name":"x","n":{"a":[1,2],"b":{"c":true}}})") << none;
        // [1,"two",3.5,null]
        QTest::newRow("dense array") << QByteArray("ff0f41044902220374776f4e0000000000000c4030240004")
                                     << json(R"([1,"two",3.5,null])") << none;
        // [1,,3] (V8 writes an array with holes sparsely)
        QTest::newRow("array with a hole")
            << QByteArray("ff0f61034900490249044906400203") << json("[1,null,3]")
            << QStringLiteral("array holes are shown as null");
        // (()=>{const a=[];a[5]="x";return a})()
        QTest::newRow("sparse array")
            << QByteArray("ff0f6106490a220178400106") << json(R"([null,null,null,null,null,"x"])")
            << QStringLiteral("array holes are shown as null");
        // [1,undefined,3]
        QTest::newRow("undefined in an array") << QByteArray("ff0f410349025f4906240003") << json("[1,null,3]")
                                               << QStringLiteral("undefined is shown as null");
        // "hello"
        QTest::newRow("ASCII string") << QByteArray("ff0f220568656c6c6f") << json(R"("hello")") << none;
        // "café" (one-byte, Latin-1)
        QTest::newRow("Latin-1 string")
            << QByteArray("ff0f2204636166e9") << QJsonValue(QStringLiteral("café")) << none;
        // "żółw 🐢" (two-byte, UTF-16LE)
        QTest::newRow("two-byte string") << QByteArray("ff0f630e7c01f3004201770020003dd822dc")
                                         << QJsonValue(QStringLiteral("żółw 🐢")) << none;
        // {ab:"żółw"} (a padding byte before the two-byte string aligns its characters)
        QTest::newRow("two-byte string after padding")
            << QByteArray("ff0f6f220261620063087c01f300420177007b01")
            << QJsonValue(QJsonObject { { QStringLiteral("ab"), QStringLiteral("żółw") } }) << none;
        // 42
        QTest::newRow("integer") << QByteArray("ff0f4954") << json("42") << none;
        // -7
        QTest::newRow("negative integer") << QByteArray("ff0f490d") << json("-7") << none;
        // 2147483648 (past int32: a double)
        QTest::newRow("past int32") << QByteArray("ff0f4e000000000000e041") << json("2147483648") << none;
        // -1.25
        QTest::newRow("negative double") << QByteArray("ff0f4e000000000000f4bf") << json("-1.25") << none;
        // 3.141592653589793
        QTest::newRow("double") << QByteArray("ff0f4e182d4454fb210940") << QJsonValue(3.141592653589793)
                                << none;
        // true
        QTest::newRow("true") << QByteArray("ff0f54") << json("true") << none;
        // false
        QTest::newRow("false") << QByteArray("ff0f46") << json("false") << none;
        // null
        QTest::newRow("null") << QByteArray("ff0f30") << json("null") << none;
        // undefined
        QTest::newRow("undefined") << QByteArray("ff0f5f") << json("null")
                                   << QStringLiteral("undefined is shown as null");
        // new Date(Date.UTC(2024,0,2,3,4,5,678))
        QTest::newRow("Date") << QByteArray("ff0f4400e0b20d82cc7842") << json(R"("2024-01-02T03:04:05.678Z")")
                              << none;
        // new Date(-62198755200000), the year before year 0
        QTest::newRow("Date before year 0")
            << QByteArray("ff0f440000c65ae348ccc2") << json(R"("-000001-01-01T00:00:00.000Z")") << none;
        // new Date(NaN)
        QTest::newRow("invalid Date") << QByteArray("ff0f44000000000000f87f") << json("null")
                                      << QStringLiteral("an invalid Date is shown as null");
        // (()=>{const s={id:1};return {a:s,b:s}})() (the second is a reference to the first)
        QTest::newRow("object referenced twice") << QByteArray("ff0f6f2201616f2202696449027b012201625e017b02")
                                                 << json(R"({"a":{"id":1},"b":{"id":1}})") << none;
        // ({1:"one",b:2}) (integer-like keys are written as numbers)
        QTest::newRow("integer key") << QByteArray("ff0f6f490222036f6e6522016249047b02")
                                     << json(R"({"1":"one","b":2})") << none;
        // [new String("s"), new Number(2), new Boolean(false)]
        QTest::newRow("boxed primitives")
            << QByteArray("ff0f4103732201736e000000000000004078240003") << json(R"(["s",2,false])") << none;
        // {name:"x",n:{a:[1,2],b:{c:true}}} without the version header, as older workerd wrote
        QTest::newRow("no header") << QByteArray(kNested).mid(4)
                                   << json(R"({"name":"x","n":{"a":[1,2],"b":{"c":true}}})") << none;
    }
    void decodes()
    {
        QFETCH(QByteArray, hex);
        QFETCH(QJsonValue, expected);
        QFETCH(QString, note);
        const qd::V8Decoded decoded = qd::decodeV8Serialized(QByteArray::fromHex(hex));
        QVERIFY2(decoded.ok(), qPrintable(decoded.note));
        QCOMPARE(*decoded.value, expected);
        QCOMPARE(decoded.note, note);
    }

    void failsWithANote_data()
    {
        QTest::addColumn<QByteArray>("hex");
        QTest::addColumn<QString>("note");
        // new Map([["a",1]])
        QTest::newRow("Map") << QByteArray("ff0f3b22016149023a02")
                             << QStringLiteral("contains a Map, which is shown as bytes");
        // new Set([1])
        QTest::newRow("Set") << QByteArray("ff0f2749022c01")
                             << QStringLiteral("contains a Set, which is shown as bytes");
        // new ArrayBuffer(2)
        QTest::newRow("ArrayBuffer") << QByteArray("ff0f42020000")
                                     << QStringLiteral("contains an ArrayBuffer, which is shown as bytes");
        // 1n
        QTest::newRow("BigInt") << QByteArray("ff0f5a100100000000000000")
                                << QStringLiteral("contains a BigInt, which is shown as bytes");
        // new Uint8Array([1,2]) (node writes typed arrays as host objects)
        QTest::newRow("typed array")
            << QByteArray("ff0f5c01020102")
            << QStringLiteral("contains a host object (such as a typed array), which is shown as bytes");
        // /a/g
        QTest::newRow("RegExp") << QByteArray("ff0f5222016101")
                                << QStringLiteral("contains a RegExp, which is shown as bytes");
        // (()=>{const o={};o.self=o;return o})()
        QTest::newRow("cycle") << QByteArray("ff0f6f220473656c665e007b01")
                               << QStringLiteral(
                                      "contains an object that refers to itself, which is shown as bytes");
        // A Map inside an object: {m:new Map()}
        QTest::newRow("Map inside") << QByteArray("ff0f6f22016d3b3a007b01")
                                    << QStringLiteral("contains a Map, which is shown as bytes");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("is empty");
        QTest::newRow("newer version") << QByteArray(
            "ff1054") << QStringLiteral("is in format version 16, newer than this reader knows (15)");
        QTest::newRow("bytes after the value")
            << QByteArray("ff0f5454") << QStringLiteral("has 1 bytes after the value");
        QTest::newRow("string longer than the input")
            << QByteArray("ff0f22ffffffff0f41")
            << QStringLiteral(
                   "is not valid V8 serialization: a string is longer than what is left at byte 8");
        QTest::newRow("reference to nothing")
            << QByteArray("ff0f5e05")
            << QStringLiteral(
                   "is not valid V8 serialization: a reference to object 5, which was not read at byte 4");
        QTest::newRow("wrong property count")
            << QByteArray("ff0f6f22016154"
                          "7b02")
            << QStringLiteral("is not valid V8 serialization: a property count does not match at byte 9");
    }
    void failsWithANote()
    {
        QFETCH(QByteArray, hex);
        QFETCH(QString, note);
        const qd::V8Decoded decoded = qd::decodeV8Serialized(QByteArray::fromHex(hex));
        QVERIFY(!decoded.ok());
        QCOMPARE(decoded.note, note);
    }

    void everyTruncationFails()
    {
        const QByteArray whole = QByteArray::fromHex(kNested);
        QVERIFY(qd::decodeV8Serialized(whole).ok());
        for (qsizetype n = 0; n < whole.size(); ++n) {
            const qd::V8Decoded decoded = qd::decodeV8Serialized(whole.left(n));
            QVERIFY2(!decoded.ok(), qPrintable(QString::number(n)));
            QVERIFY2(!decoded.note.isEmpty(), qPrintable(QString::number(n)));
        }
    }

    void everyCorruptedByteIsSafe()
    {
        // Each byte in turn replaced by each value: decoded or refused with a note, never a
        // crash or a read past the end (the asan preset checks the latter).
        const QByteArray whole = QByteArray::fromHex(kNested);
        for (qsizetype i = 0; i < whole.size(); ++i) {
            for (int b = 0; b < 256; ++b) {
                QByteArray bytes = whole;
                bytes[i] = char(b);
                const qd::V8Decoded decoded = qd::decodeV8Serialized(bytes);
                QVERIFY(decoded.ok() || !decoded.note.isEmpty());
            }
        }
    }

    void deepNestingFails()
    {
        // 1000 arrays, each holding the next.
        QByteArray bytes = QByteArray::fromHex("ff0f");
        for (int i = 0; i < 1000; ++i)
            bytes += QByteArray::fromHex("4101");
        const qd::V8Decoded decoded = qd::decodeV8Serialized(bytes);
        QVERIFY(!decoded.ok());
        QCOMPARE(decoded.note, QStringLiteral("nests deeper than 256 levels"));
    }

    void sharedReferencesCannotExplode()
    {
        // a0 = [1,1]; a(k+1) = [a(k), a(k)] by reference: 2^40 values from a few hundred bytes.
        QByteArray bytes = QByteArray::fromHex("ff0f");
        for (int i = 0; i < 40; ++i)
            bytes += QByteArray::fromHex("4102");
        bytes += QByteArray::fromHex("410249024902240002");
        for (int i = 39; i >= 0; --i) {
            // The second element refers to the array just closed, which has id i + 1.
            bytes += QByteArray::fromHex("5e") + char(i + 1) + QByteArray::fromHex("240002");
        }
        const qd::V8Decoded decoded = qd::decodeV8Serialized(bytes);
        QVERIFY(!decoded.ok());
        QCOMPARE(decoded.note, QStringLiteral("expands to more than 200000 values, too many to show"));
    }
};

QTEST_GUILESS_MAIN(TstV8Serialized)
#include "tst_v8serialized.moc"
