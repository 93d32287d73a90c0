// LD_PRELOAD'ed into a kernel by tst_kernelclient: a clock_nanosleep of more than a second first
// waits 3 s in user space. That is the window between CPython's last check for a signal and the
// system call of time.sleep(), widened as a preemption there widens it on a loaded machine: a
// SIGINT handled in it sets CPython's flag, and the sleep that follows is not cut short.
#include <dlfcn.h>
#include <time.h>

extern "C" int clock_nanosleep(clockid_t clock, int flags, const struct timespec *request, struct timespec *remain)
{
    using Real = int (*)(clockid_t, int, const struct timespec *, struct timespec *);
    static Real real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "clock_nanosleep"));
    timespec now{};
    clock_gettime(clock, &now);
    const double left = (flags & TIMER_ABSTIME) ? double(request->tv_sec - now.tv_sec) + double(request->tv_nsec - now.tv_nsec) / 1e9
                                                : double(request->tv_sec) + double(request->tv_nsec) / 1e9;
    if (left > 1.0) {
        timespec start{}, t{};
        clock_gettime(CLOCK_MONOTONIC, &start);
        do
            clock_gettime(CLOCK_MONOTONIC, &t);
        while (double(t.tv_sec - start.tv_sec) + double(t.tv_nsec - start.tv_nsec) / 1e9 < 3.0);
    }
    return real(clock, flags, request, remain);
}
