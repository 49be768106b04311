#pragma once

// A client that writes raw bytes on a loopback connection (so tests can send what no
// HTTP library would) and collects the first answer: complete once its head and
// Content-Length bytes are in, or once the server closes.

#include <QHostAddress>
#include <QTcpSocket>

class RawHttpClient {
public:
    // A receiveBuffer bounds what is taken in of answers nobody reads, in Qt's buffer and
    // the kernel's (no autotuning): a client that does not read, as far as the server sees.
    explicit RawHttpClient(quint16 port, const QHostAddress &from = {}, int receiveBuffer = 0)
    {
        if (!from.isNull() || receiveBuffer > 0)
            m_socket.bind(from.isNull() ? QHostAddress(QHostAddress::LocalHost) : from, 0);
        if (receiveBuffer > 0) {
            m_socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, receiveBuffer);
            m_socket.setReadBufferSize(receiveBuffer);
        }
        QObject::connect(&m_socket, &QTcpSocket::readyRead, [this] { m_data += m_socket.readAll(); });
        m_socket.connectToHost(QHostAddress::LocalHost, port);
    }

    QTcpSocket &socket() { return m_socket; }
    void send(const QByteArray &bytes) { m_socket.write(bytes); }
    void close() { m_socket.disconnectFromHost(); }

    bool closed() const { return m_socket.state() == QAbstractSocket::UnconnectedState; }
    bool answered() const { return complete() || closed(); }
    bool complete() const
    {
        const qsizetype end = m_data.indexOf("\r\n\r\n");
        return end >= 0 && m_data.size() >= end + 4 + contentLength();
    }
    int status() const { return m_data.startsWith("HTTP/1.1 ") ? m_data.mid(9, 3).toInt() : 0; }
    QByteArray data() const { return m_data; }
    QByteArray header(const QByteArray &name) const
    {
        const qsizetype end = m_data.indexOf("\r\n\r\n");
        for (const QByteArray &line : m_data.left(end).split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
                return line.mid(colon + 1).trimmed();
        }
        return {};
    }
    QByteArray body() const
    {
        const qsizetype end = m_data.indexOf("\r\n\r\n");
        return end < 0 ? QByteArray() : m_data.mid(end + 4, contentLength());
    }

private:
    qint64 contentLength() const { return header("Content-Length").toLongLong(); }

    QTcpSocket m_socket;
    QByteArray m_data;
};
