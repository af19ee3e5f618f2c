#include "httpconnection.h"

#include <QTcpSocket>
#include <QTimer>

#include <algorithm>

namespace lookalike::server {

namespace {

// After a refusal, what the client is still sending is read and dropped, up to this much and
// for this long, so that it gets to read the answer; a body declared larger is not waited for
// (the connection closes at once, and the client may see a reset instead of the answer).
constexpr qint64 kMaxDrainBytes = 256LL << 20;
constexpr int kDrainTimeoutMs = 10000;
// What may still follow oversized headers or a malformed head.
constexpr qint64 kHeadDrainBytes = 1 << 20;

// Where the head ends: just after the first empty line ("\r\n\r\n", or "\n\n" from a lax
// client), searching from `from`; -1 while it has not arrived.
qsizetype headEnd(const QByteArray &head, qsizetype from)
{
    const qsizetype crlf = head.indexOf("\n\r\n", from);
    const qsizetype lf = head.indexOf("\n\n", from);
    if (crlf >= 0 && (lf < 0 || crlf < lf))
        return crlf + 3;
    return lf >= 0 ? lf + 2 : -1;
}

} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, const ApiLimits &limits)
    : QObject(socket), m_socket(socket), m_limits(limits)
{
    connect(m_socket, &QIODevice::readyRead, this, &HttpConnection::onReadyRead);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpConnection::onTimeout);
    rearm();
}

HttpConnection::~HttpConnection() = default;

HttpConnection *HttpConnection::of(QTcpSocket *socket)
{
    return socket ? socket->findChild<HttpConnection *>(QString(), Qt::FindDirectChildrenOnly) : nullptr;
}

void HttpConnection::onReadyRead()
{
    // Peek: Qt HttpServer's slot, called next, reads the same bytes.
    const qint64 available = m_socket->bytesAvailable();
    if (m_state != State::Refused && available > 0)
        scan(m_socket->peek(available));
    rearm();
}

void HttpConnection::rearm()
{
    if (m_state == State::Refused)
        return; // refuse() has its own time limit
    if (midRequest()) {
        if (m_requestDeadline.isForever())
            m_requestDeadline.setRemainingTime(m_limits.requestTimeoutMs);
        m_timer.start(int(std::max<qint64>(0, m_requestDeadline.remainingTime())));
        return;
    }
    m_requestDeadline = QDeadlineTimer(QDeadlineTimer::Forever);
    if (m_nextToWrite < m_nextSequence) {
        m_timer.stop(); // an add may rightly take minutes
        return;
    }
    m_timer.start(m_limits.idleTimeoutMs);
}

void HttpConnection::onTimeout()
{
    if (m_state == State::Refused)
        return;
    if (midRequest()) {
        refuse(ApiResponse::error(408, QStringLiteral("request_timeout"),
                                  QStringLiteral("the request did not arrive in full within %1 s").arg(m_limits.requestTimeoutMs / 1000.0)),
               0);
        return;
    }
    if (m_nextToWrite == m_nextSequence)
        m_socket->disconnectFromHost(); // idle: the client may reconnect whenever it likes
}

void HttpConnection::scan(QByteArrayView data)
{
    qsizetype pos = 0;
    while (pos < data.size() && m_state != State::Refused) {
        if (m_state == State::Body) {
            const qint64 take = std::min<qint64>(m_bodyLeft, data.size() - pos);
            m_bodyLeft -= take;
            pos += qsizetype(take);
            if (m_bodyLeft == 0)
                m_state = State::Head;
            continue;
        }
        if (m_head.isEmpty()) {
            // Empty lines before a request line are allowed (RFC 9112, 2.2).
            while (pos < data.size() && (data[pos] == '\r' || data[pos] == '\n'))
                ++pos;
            if (pos == data.size())
                break;
        }
        const qsizetype before = m_head.size();
        const qsizetype take = std::min<qsizetype>(data.size() - pos, qsizetype(m_limits.maxHeaderBytes) + 4 - before);
        m_head.append(data.sliced(pos, take));
        const qsizetype end = headEnd(m_head, std::max<qsizetype>(0, before - 2));
        if (end < 0) {
            if (m_head.size() > m_limits.maxHeaderBytes) {
                refuse(ApiResponse::error(431, QStringLiteral("headers_too_large"),
                                          QStringLiteral("the request line and headers exceed %1 bytes").arg(m_limits.maxHeaderBytes)),
                       kHeadDrainBytes);
                return;
            }
            pos += take;
            continue;
        }
        pos += end - before;
        const QByteArray head = m_head.left(end);
        m_head.clear();
        if (!acceptHead(head, data.size() - pos))
            return;
    }
}

bool HttpConnection::acceptHead(const QByteArray &head, qsizetype bytesAfterHead)
{
    qint64 length = 0;
    bool haveLength = false;
    bool chunked = false;
    bool expectContinue = false;
    const QList<QByteArray> lines = head.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue; // Qt HttpServer's parser judges malformed lines
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed().toLower();
        if (name == "content-length") {
            bool ok = false;
            const qint64 n = value.toLongLong(&ok);
            if (!ok || n < 0 || (haveLength && n != length)) {
                refuse(ApiResponse::error(400, QStringLiteral("bad_request"), QStringLiteral("invalid Content-Length")),
                       kHeadDrainBytes);
                return false;
            }
            length = n;
            haveLength = true;
        } else if (name == "transfer-encoding" && value != "identity") {
            chunked = true;
        } else if (name == "expect" && value == "100-continue") {
            expectContinue = true;
        }
    }
    if (chunked) {
        refuse(ApiResponse::error(411, QStringLiteral("length_required"),
                                  QStringLiteral("send the body with a Content-Length header (chunked bodies are not accepted)")),
               kMaxDrainBytes);
        return false;
    }
    if (length > m_limits.maxBodyBytes) {
        refuse(ApiResponse::error(413, QStringLiteral("too_large"),
                                  QStringLiteral("the body has %1 bytes; this server accepts at most %2 (lookalike-cli serve --max-body-mb)")
                                      .arg(length)
                                      .arg(m_limits.maxBodyBytes)),
               expectContinue ? 0 : length - std::min<qint64>(length, bytesAfterHead));
        return false;
    }
    if (expectContinue && length > 0)
        m_socket->write(QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
    m_bodyLeft = length;
    m_state = length > 0 ? State::Body : State::Head;
    return true;
}

void HttpConnection::refuse(const ApiResponse &response, qint64 bodyStillComing)
{
    m_state = State::Refused;
    m_timer.stop();
    m_ready.clear();
    // From here on Qt HttpServer sees nothing more of this connection.
    QObject::disconnect(m_socket, &QIODevice::readyRead, nullptr, nullptr);
    connect(m_socket, &QIODevice::readyRead, this, &HttpConnection::drain);
    m_socket->write(serialise(response, true));
    m_drainLeft = bodyStillComing <= kMaxDrainBytes ? bodyStillComing : 0;
    QTimer::singleShot(kDrainTimeoutMs, this, [this] { m_socket->abort(); });
    drain();
}

void HttpConnection::drain()
{
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction(); // what Qt HttpServer had read of the refused request
    m_drainLeft -= m_socket->skip(m_socket->bytesAvailable());
    if (m_drainLeft <= 0 && m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->disconnectFromHost();
}

void HttpConnection::respond(quint64 sequence, const ApiResponse &response, bool close)
{
    if (m_state == State::Refused || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    m_ready.emplace(sequence, std::pair(serialise(response, close), close));
    while (!m_ready.empty() && m_ready.begin()->first == m_nextToWrite) {
        const auto [bytes, closeAfter] = std::move(m_ready.begin()->second);
        m_ready.erase(m_ready.begin());
        ++m_nextToWrite;
        m_socket->write(bytes);
        if (closeAfter) {
            m_ready.clear();
            m_socket->disconnectFromHost();
            return;
        }
    }
    rearm();
}

QByteArray HttpConnection::serialise(const ApiResponse &response, bool close)
{
    QByteArray out;
    out.reserve(256 + response.body.size());
    out += "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + ApiResponse::reasonPhrase(response.status) + "\r\n";
    out += "Content-Type: " + response.contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    out += "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n";
    for (const auto &[name, value] : response.headers)
        out += name + ": " + value + "\r\n";
    if (close)
        out += "Connection: close\r\n";
    out += "\r\n";
    out += response.body;
    return out;
}

} // namespace lookalike::server
