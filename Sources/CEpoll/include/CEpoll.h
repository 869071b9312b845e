// @chapter 4
// A tiny C shim over Linux's epoll and eventfd.
//
// Swift cannot import <sys/epoll.h> through Glibc, so this target exposes
// a few plain functions instead. They also hide `struct epoll_event`, which
// is packed on x86_64 and has a union inside: the shim hands Swift a plain
// struct of the descriptor and its events. It defines no
// feature macros (such as _GNU_SOURCE) in this public header, so it cannot
// change how other headers compile for Swift code that imports it.
//
// On other systems (macOS) the header is empty; Swift code checks
// `#if os(Linux)` before using it.
#ifndef CEPOLL_H
#define CEPOLL_H

#ifdef __linux__
#include <stdint.h>

/// One ready descriptor, as returned by `cepoll_wait`.
typedef struct {
    int32_t fd;
    uint32_t events;
} cepoll_ready_t;

/// Readiness flags, with the values epoll uses.
extern const uint32_t CEPOLL_IN;
extern const uint32_t CEPOLL_OUT;
extern const uint32_t CEPOLL_ERR;
extern const uint32_t CEPOLL_HUP;
extern const uint32_t CEPOLL_RDHUP;
extern const uint32_t CEPOLL_ET;

/// `epoll_create1(EPOLL_CLOEXEC)`.
int cepoll_create(void);

/// `epoll_ctl(EPOLL_CTL_ADD)` with `events`, the fd as user data.
int cepoll_add(int epfd, int fd, uint32_t events);

/// `epoll_ctl(EPOLL_CTL_MOD)`.
int cepoll_modify(int epfd, int fd, uint32_t events);

/// `epoll_ctl(EPOLL_CTL_DEL)`.
int cepoll_remove(int epfd, int fd);

/// `epoll_wait`, copying results into `ready` (at most `capacity`).
/// Returns the count, or -1 with errno set.
int cepoll_wait(int epfd, cepoll_ready_t *ready, int capacity, int timeout_ms);

/// A non-blocking, close-on-exec eventfd, used to wake a sleeping reactor.
int cepoll_eventfd(void);

/// Adds 1 to an eventfd (wakes whoever waits on it).
void cepoll_eventfd_signal(int fd);

/// Resets an eventfd to 0.
void cepoll_eventfd_drain(int fd);
#endif

#endif
