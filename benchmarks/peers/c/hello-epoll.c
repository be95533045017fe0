/*
 * The floor for benchmarks/http/peers.sh: the least a keep-alive HTTP hello server can do on Linux.
 * $2 worker processes share port $1 on 127.0.0.1 (SO_REUSEPORT); each runs a level-triggered epoll loop
 * (as Java's Selector does) with one read() and one write() per request, a fixed response, and no parsing
 * beyond finding each request's blank line. No routing, no headers map, no request object: whatever a
 * real server spends in user space above this is its own; the kernel's share is the same for all.
 * With a third argument, "et", connections are registered edge-triggered (EPOLLET, as nginx does): a read
 * that fills less than the buffer has drained the socket, and new bytes raise a new event.
 * Build: gcc -O2 -o hello-epoll hello-epoll.c        Run: ./hello-epoll 18180 2 [et]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const char RESPONSE[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 33\r\n"
    "\r\n"
    "{\"message\":\"Hello from worker 1\"}";
#define RESPONSE_LEN (sizeof(RESPONSE) - 1)
#define MAX_FD 65536
#define IN_BYTES 1024

static char in[MAX_FD][IN_BYTES]; /* per connection: bytes of a request not yet complete */
static int held[MAX_FD];
static int edge_triggered;

static int listener(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *) &a, sizeof a) < 0 || listen(fd, 4096) < 0) {
        perror("hello-epoll: bind/listen");
        exit(1);
    }
    return fd;
}

/* Answers every complete request in the connection's buffer; 0, or -1 to close the connection. */
static int answer(int fd) {
    char out[RESPONSE_LEN * 16];
    int len = held[fd], at = 0, n = 0;
    const char *end;
    while ((end = memmem(in[fd] + at, len - at, "\r\n\r\n", 4)) != NULL && n < 16) {
        memcpy(out + n * RESPONSE_LEN, RESPONSE, RESPONSE_LEN);
        n++;
        at = (int) (end - in[fd]) + 4;
    }
    memmove(in[fd], in[fd] + at, len - at);
    held[fd] = len - at;
    if (held[fd] == IN_BYTES) {
        return -1; /* a request head larger than the buffer */
    }
    return n == 0 || write(fd, out, n * RESPONSE_LEN) == (ssize_t) (n * RESPONSE_LEN) ? 0 : -1;
}

static void serve(int port) {
    int lfd = listener(port), ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd}, ready[512];
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    for (;;) {
        int n = epoll_wait(ep, ready, 512, -1);
        for (int i = 0; i < n; i++) {
            int fd = ready[i].data.fd;
            if (fd == lfd) {
                int c;
                while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if (c >= MAX_FD) {
                        close(c);
                        continue;
                    }
                    int one = 1;
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    held[c] = 0;
                    struct epoll_event e = {.events = EPOLLIN | (edge_triggered ? EPOLLET : 0), .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
                }
                continue;
            }
            ssize_t r = read(fd, in[fd] + held[fd], IN_BYTES - held[fd]);
            if (r < 0 && errno == EAGAIN) {
                continue;
            }
            if (r <= 0) {
                close(fd);
                continue;
            }
            held[fd] += (int) r;
            if (answer(fd) < 0) {
                close(fd);
            }
        }
    }
}

static pid_t children[64];
static int child_count;

/* SIGTERM or SIGINT to the parent ends the workers too. */
static void stop(int sig) {
    for (int i = 0; i < child_count; i++) {
        kill(children[i], SIGTERM);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 18180, workers = argc > 2 ? atoi(argv[2]) : 2;
    edge_triggered = argc > 3 && strcmp(argv[3], "et") == 0;
    if (workers < 1 || workers > 64) {
        fprintf(stderr, "hello-epoll: 1 to 64 workers\n");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < workers; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            serve(port);
            _exit(0);
        }
        children[child_count++] = pid;
    }
    signal(SIGTERM, stop);
    signal(SIGINT, stop);
    while (wait(NULL) > 0) {
    }
    return 0;
}
