#pragma once

#include "apilimits.h"
#include "apiresponse.h"

#include <QByteArray>
#include <QDeadlineTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <map>

class QTcpSocket;

namespace lookalike::server {

// One client connection, as RestServer sees it beside Qt HttpServer:
//
// - It reads every request's head before Qt HttpServer does (its readyRead slot is connected
//   first) and refuses, before the body arrives, what Qt HttpServer 6.4 would buffer whole
//   without a limit: a body over ApiLimits::maxBodyBytes (413), headers over maxHeaderBytes
//   (431), a chunked body (411: the size must be known up front), a request that takes longer
//   than ApiLimits::requestTimeoutMs to arrive (408). The refusal is written at
//   once; the rest of a refused body is read and dropped (up to a bound) so that the client
//   gets to read the answer instead of a reset, and then the connection is closed. Requests
//   pipelined behind a refused one are dropped with the connection.
// - It answers "Expect: 100-continue", so that curl sends large bodies without waiting.
// - It closes a keep-alive connection that stays idle (no request arriving, none being worked
//   on) for ApiLimits::idleTimeoutMs.
// - It writes answers in the order the requests came, whichever is ready first: the work runs
//   on a thread pool and a keep-alive connection may carry several requests.
//
// It is the socket's child, so it goes with the socket; answers for a client that has gone
// are dropped by whoever holds a QPointer to it.
class HttpConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)

public:
    // Call before anything else connects to the socket's readyRead().
    HttpConnection(QTcpSocket *socket, const ApiLimits &limits);
    ~HttpConnection() override;

    static HttpConnection *of(QTcpSocket *socket);

    // The sequence number of the next complete request, in arrival order.
    quint64 nextSequence() { return m_nextSequence++; }
    // Queues the answer to request `sequence` and writes what is ready in order. `close`
    // closes the connection after this answer (the client asked for it).
    void respond(quint64 sequence, const ApiResponse &response, bool close);

    static QByteArray serialise(const ApiResponse &response, bool close);

private:
    enum class State { Head, Body, Refused };

    void onReadyRead();
    void scan(QByteArrayView data);
    // Reads the head in m_head (up to and including the blank line); false when it refused.
    bool acceptHead(const QByteArray &head, qsizetype bytesAfterHead);
    // Answers with `response`, stops Qt HttpServer from reading on, drops up to
    // `bodyStillComing` more bytes (the rest of a refused body) and closes.
    void refuse(const ApiResponse &response, qint64 bodyStillComing);
    void drain();
    // Arms the timer for what the connection is doing now: a request arriving (its deadline),
    // requests being worked on (none), or nothing (the idle timeout).
    void rearm();
    void onTimeout();
    bool midRequest() const { return m_state == State::Body || !m_head.isEmpty(); }

    QTcpSocket *m_socket;
    ApiLimits m_limits;
    State m_state = State::Head;
    QByteArray m_head;
    qint64 m_bodyLeft = 0;
    qint64 m_drainLeft = 0;
    quint64 m_nextSequence = 0;
    quint64 m_nextToWrite = 0;
    std::map<quint64, std::pair<QByteArray, bool>> m_ready; // answers waiting for earlier ones
    QTimer m_timer;
    QDeadlineTimer m_requestDeadline = QDeadlineTimer(QDeadlineTimer::Forever); // of the request arriving
};

} // namespace lookalike::server
