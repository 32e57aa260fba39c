/*
 * The least a kdump receiver can do per packet: receive, write, ACK. It is the yardstick for the
 * relay's load run (issue 2: "at least 0.95 of the minimal receiver's MB/s"), the same role Apple's
 * kdumpd plays in kdump-protocol.md §17, whose speed is that of such a loop.
 *
 * Like kdumpd (§13) it forks one process per WRQ, which replies from its own connected socket.
 * It handles ACK 0 features (§4.3), the receive cap (§5), SEEK 32/64 (§7), duplicates (§12) and
 * EOF (§8.2). No retransmission timer, no journal, no fsync: it is a benchmark tool, not a server.
 *
 * Build: cc -O2 -o minimal-receiver minimal-receiver.c
 * Run:   ./minimal-receiver <bind IPv4> <port> <directory>     (prints "listening on <port>")
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void put_ack(unsigned char *ack, uint32_t block, unsigned features)
{
    ack[0] = (unsigned char)features;
    ack[1] = 4;
    uint32_t be = htonl(block);
    memcpy(ack + 2, &be, 4);
}

static int serve(const unsigned char *wrq, ssize_t len, struct sockaddr_in *client, const char *bind_ip)
{
    const char *name = (const char *)wrq + 2;
    size_t name_len = strnlen(name, (size_t)len - 2);
    if (name_len == (size_t)len - 2 || strchr(name, '/') != NULL)
        return 1;
    const unsigned char *p = wrq + 2 + name_len + 1;
    const unsigned char *end = wrq + len;
    while (p < end && *p) p++; /* mode */
    p++;
    unsigned features = 0;
    if (end - p >= 13 && memcmp(p, "features\0", 9) == 0) {
        uint32_t mask;
        memcpy(&mask, p + 9, 4);
        features = ntohl(mask) & 3;
    }
    int has_features = end - p >= 9 && memcmp(p, "features\0", 9) == 0;
    size_t cap = 6 + ((features & 2) ? 1406 : 512);

    int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0)
        return 1;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in local = { .sin_family = AF_INET };
    inet_pton(AF_INET, bind_ip, &local.sin_addr);
    if (bind(s, (struct sockaddr *)&local, sizeof local) || connect(s, (struct sockaddr *)client, sizeof *client))
        return 1;
    struct timeval tv = { .tv_sec = 2 };
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

    unsigned char ack[6], buf[16384];
    put_ack(ack, 0, has_features ? features : 0);
    send(s, ack, 6, 0);
    uint32_t expected = 1;
    for (int silent = 0; silent < 25;) {
        ssize_t n = recv(s, buf, cap, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                silent++;
                send(s, ack, 6, 0);
            }
            continue;
        }
        silent = 0;
        if (n < 6)
            continue;
        uint16_t op = (uint16_t)(buf[0] << 8 | buf[1]);
        uint32_t block;
        memcpy(&block, buf + 2, 4);
        block = ntohl(block);
        if (op == 7) {
            put_ack(ack, expected, 0);
            send(s, ack, 6, 0);
            close(fd);
            return 0;
        }
        if ((op == 3 || op == 6) && block == expected) {
            if (op == 3) {
                if (write(fd, buf + 6, (size_t)n - 6) < 0)
                    return 1;
            } else if (features & 1) {
                uint64_t off;
                memcpy(&off, buf + 6, 8);
                lseek(fd, (off_t)be64toh(off), SEEK_SET);
            } else {
                uint32_t off;
                memcpy(&off, buf + 6, 4);
                lseek(fd, (off_t)ntohl(off), SEEK_SET);
            }
            put_ack(ack, expected++, 0);
            send(s, ack, 6, 0);
        } else if ((op == 3 || op == 6) && block == expected - 1) {
            send(s, ack, 6, 0);
        }
    }
    close(fd);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s <bind IPv4> <port> <directory>\n", argv[0]);
        return 2;
    }
    if (chdir(argv[3]) != 0) {
        perror("chdir");
        return 2;
    }
    signal(SIGCHLD, SIG_IGN);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2])) };
    inet_pton(AF_INET, argv[1], &addr.sin_addr);
    if (bind(s, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("bind");
        return 2;
    }
    socklen_t alen = sizeof addr;
    getsockname(s, (struct sockaddr *)&addr, &alen);
    printf("listening on %d\n", ntohs(addr.sin_port));
    fflush(stdout);
    for (;;) {
        unsigned char wrq[16384];
        struct sockaddr_in client;
        socklen_t clen = sizeof client;
        ssize_t n = recvfrom(s, wrq, sizeof wrq, 0, (struct sockaddr *)&client, &clen);
        if (n < 4 || wrq[0] != 0 || wrq[1] != 2)
            continue;
        if (fork() == 0) {
            close(s);
            _exit(serve(wrq, n, &client, argv[1]));
        }
    }
}
