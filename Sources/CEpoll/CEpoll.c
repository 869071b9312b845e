// @chapter 4
// See include/CEpoll.h: a plain-function shim over epoll and eventfd.
#ifdef __linux__
#include "CEpoll.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <stdint.h>

const uint32_t CEPOLL_IN = EPOLLIN;
const uint32_t CEPOLL_OUT = EPOLLOUT;
const uint32_t CEPOLL_ERR = EPOLLERR;
const uint32_t CEPOLL_HUP = EPOLLHUP;
const uint32_t CEPOLL_RDHUP = EPOLLRDHUP;
const uint32_t CEPOLL_ET = EPOLLET;

int cepoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

static int control(int epfd, int op, int fd, uint32_t events) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = 0;
    event.data.fd = fd;
    return epoll_ctl(epfd, op, fd, &event);
}

int cepoll_add(int epfd, int fd, uint32_t events) {
    return control(epfd, EPOLL_CTL_ADD, fd, events);
}

int cepoll_modify(int epfd, int fd, uint32_t events) {
    return control(epfd, EPOLL_CTL_MOD, fd, events);
}

int cepoll_remove(int epfd, int fd) {
    return control(epfd, EPOLL_CTL_DEL, fd, 0);
}

int cepoll_wait(int epfd, cepoll_ready_t *ready, int capacity, int timeout_ms) {
    struct epoll_event events[256];
    if (capacity > 256) capacity = 256;
    int count = epoll_wait(epfd, events, capacity, timeout_ms);
    for (int i = 0; i < count; i++) {
        ready[i].fd = events[i].data.fd;
        ready[i].events = events[i].events;
    }
    return count;
}

int cepoll_eventfd(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

void cepoll_eventfd_signal(int fd) {
    uint64_t one = 1;
    ssize_t ignored = write(fd, &one, sizeof one);
    (void)ignored;
}

void cepoll_eventfd_drain(int fd) {
    uint64_t value;
    ssize_t ignored = read(fd, &value, sizeof value);
    (void)ignored;
}
#endif
