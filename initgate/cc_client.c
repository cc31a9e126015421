/*
 * The client of the compile server (initgate/cc_server.py), which
 * bin/initgate-cc runs for the calls it cannot pass through itself.
 *
 *   cc-client-1-MACHINE CACHE_DIR INITGATE ARGS...  ==  INITGATE cc ARGS...
 *
 * A gated compile spends most of its overhead starting Python and importing
 * libclang.  The server has done both once; for each call it forks a worker
 * that runs `initgate cc ARGS...` as this process would have run it: in
 * this process's folder, with its environment, umask, nice value and every
 * descriptor it holds (passed over the socket, so make's jobserver and a
 * redirected stderr behave as before).  This program waits for the worker,
 * forwards the signals a build tool sends, and ends as the worker ended.
 *
 * Whenever the server cannot take the call (none is running, it runs other
 * code than INITGATE, a descriptor cannot be passed), this program execs
 * `INITGATE cc ARGS...` instead, which also starts a server for the next
 * call.  Only a server that dies after it has taken the call is an error.
 *
 * It is built by the machine's C compiler into the cache on first use, like
 * passes/facts.c, and needs nothing beyond libc.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* Shared with initgate/cc_server.py and bin/initgate-cc. */
#define PROTOCOL "1"
#define SOCKET_NAME "cc-server-" PROTOCOL ".sock"
#define MAGIC "IGC" PROTOCOL
#define LAUNCHED_VAR "INITGATE_LAUNCHED=1"
#define MAX_FDS 253             /* SCM_MAX_FD: what one message may carry */

extern char **environ;

static volatile sig_atomic_t worker_pid;
static volatile sig_atomic_t pending_signal;

struct buffer {
	char *data;
	size_t len, cap;
};

static void fallback(char **argv, int argc) __attribute__((noreturn));

/* INITGATE cc ARGS..., as bin/initgate-cc would have run it. */
static void fallback(char **argv, int argc)
{
	char **words = calloc(argc + 1, sizeof *words);

	if (!words) {
		perror("initgate-cc");
		exit(1);
	}
	if (pending_signal) {
		signal(pending_signal, SIG_DFL);
		raise(pending_signal);
	}
	words[0] = argv[2];
	words[1] = "cc";
	for (int i = 3; i < argc; i++)
		words[i - 1] = argv[i];
	putenv(LAUNCHED_VAR);
	execvp(words[0], words);
	fprintf(stderr, "initgate-cc: cannot run %s: %s\n", words[0], strerror(errno));
	exit(127);
}

static int put(struct buffer *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = (b->cap + len) * 2;
		char *more = realloc(b->data, cap);

		if (!more)
			return -1;
		b->data = more;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

static int put_string(struct buffer *b, const char *s)
{
	return put(b, s, strlen(s) + 1);
}

static int put_number(struct buffer *b, long n)
{
	char text[32];

	snprintf(text, sizeof text, "%ld", n);
	return put_string(b, text);
}

/*
 * A server in another mount namespace (a container sharing the cache
 * folder) would read other files under the same paths, and one in another
 * pid namespace would hand back a pid that means another process here: the
 * server takes a call only from its own namespaces.
 */
static int put_namespace(struct buffer *b, const char *kind)
{
	char path[64], link[128];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/self/ns/%s", kind);
	n = readlink(path, link, sizeof link - 1);
	link[n > 0 ? n : 0] = 0;
	return put_string(b, link);
}

/* Every descriptor this process holds: a compiler run in its place inherits them. */
static int open_fds(int *fds)
{
	int count = 0;
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *entry;

	if (!dir)
		return -1;
	while ((entry = readdir(dir))) {
		char *end;
		long fd = strtol(entry->d_name, &end, 10);

		if (*end || end == entry->d_name || fd == dirfd(dir))
			continue;
		if (fcntl(fd, F_GETFD) & FD_CLOEXEC)
			continue;
		if (count == MAX_FDS) {
			count = -1;
			break;
		}
		fds[count++] = fd;
	}
	closedir(dir);
	return count;
}

/* A cache folder others can write to must not hand this call, its
 * arguments and environment to a server of theirs. */
static int same_user(int sock)
{
	struct ucred peer;
	socklen_t len = sizeof peer;

	return getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &peer, &len) == 0 &&
	       peer.uid == getuid();
}

/* The server's socket in CACHE_DIR, through /proc for a path too long for sun_path. */
static int connect_server(const char *cache)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int dir = -1, sock;
	int n = snprintf(addr.sun_path, sizeof addr.sun_path, "%s/%s", cache, SOCKET_NAME);

	if (n < 0 || (size_t)n >= sizeof addr.sun_path) {
		dir = open(cache, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dir < 0)
			return -1;
		snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dir,
			 SOCKET_NAME);
	}
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock >= 0 && (connect(sock, (struct sockaddr *)&addr, sizeof addr) != 0 ||
			  !same_user(sock))) {
		close(sock);
		sock = -1;
	}
	if (dir >= 0)
		close(dir);
	return sock;
}

/*
 * The request: MAGIC, the payload's length and the descriptors' count (both
 * uint32), the descriptors' numbers here (int32 each), then the payload,
 * NUL-separated: INITGATE's real path, this process's mount and pid
 * namespaces, the folder, umask, nice value, the number of arguments, the
 * arguments, then the environment.
 */
static int build_request(struct buffer *head, struct buffer *body, int argc, char **argv,
			 const char *identity, const int *fds, int nfds)
{
	char cwd[PATH_MAX];
	mode_t mask = umask(0);
	int nice_value;
	uint32_t len, count = nfds;

	umask(mask);
	errno = 0;
	nice_value = getpriority(PRIO_PROCESS, 0);
	if ((nice_value == -1 && errno) || !getcwd(cwd, sizeof cwd))
		return -1;
	if (put_string(body, identity) || put_namespace(body, "mnt") ||
	    put_namespace(body, "pid") || put_string(body, cwd) || put_number(body, mask) ||
	    put_number(body, nice_value) || put_number(body, argc - 3))
		return -1;
	for (int i = 3; i < argc; i++)
		if (put_string(body, argv[i]))
			return -1;
	for (char **env = environ; *env; env++)
		if (put_string(body, *env))
			return -1;
	len = body->len;
	if (put(head, MAGIC, 4) || put(head, &len, 4) || put(head, &count, 4))
		return -1;
	for (int i = 0; i < nfds; i++) {
		int32_t fd = fds[i];

		if (put(head, &fd, 4))
			return -1;
	}
	return 0;
}

static int send_all(int sock, const char *data, size_t len)
{
	while (len) {
		ssize_t n = send(sock, data, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= n;
	}
	return 0;
}

/* The head goes in one message, with the descriptors attached to it. */
static int send_request(int sock, struct buffer *head, struct buffer *body,
			const int *fds, int nfds)
{
	char control[CMSG_SPACE(MAX_FDS * sizeof(int))];
	struct iovec iov = { head->data, head->len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (nfds) {
		struct cmsghdr *cmsg;

		memset(control, 0, sizeof control);
		msg.msg_control = control;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cmsg), fds, nfds * sizeof(int));
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (send_all(sock, head->data + n, head->len - n))
		return -1;
	return send_all(sock, body->data, body->len);
}

/* A signal a build tool sends the compiler goes to the worker, which handles
 * it as `initgate cc` does (the compiler is stopped, then it exits). */
static void forward(int sig)
{
	pending_signal = sig;
	if (worker_pid > 0)
		kill(worker_pid, sig);
}

static void catch_signals(void)
{
	static const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction action = { .sa_handler = forward };

	sigemptyset(&action.sa_mask);
	for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
		sigaction(signals[i], &action, NULL);
}

/* End as the worker ended: its exit status, or the signal that killed it. */
static void end_like(int status) __attribute__((noreturn));

static void end_like(int status)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);

		signal(sig, SIG_DFL);
		raise(sig);
		exit(128 + sig);
	}
	exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

/*
 * The server's answers, five bytes each: 'P' and the worker's pid, once it
 * is forked; 'R' from the worker if it will not take the call; 'S' and the
 * worker's wait status once it has ended.  The end of the stream before 'P'
 * means the server closed without taking the call.
 */
static void await_worker(int sock, char **argv, int argc) __attribute__((noreturn));

static void await_worker(int sock, char **argv, int argc)
{
	int have_pid = 0, refused = 0;

	for (;;) {
		unsigned char message[5];
		size_t got = 0;
		int32_t value;

		while (got < sizeof message) {
			ssize_t n = read(sock, message + got, sizeof message - got);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			got += n;
		}
		if (got < sizeof message) {
			if (!have_pid || refused)
				fallback(argv, argc);
			fprintf(stderr, "initgate-cc: the compile server ended before this call "
				"did; run it again, or set INITGATE_SERVER=0 to build without it\n");
			exit(1);
		}
		memcpy(&value, message + 1, 4);
		if (message[0] == 'P') {
			have_pid = 1;
			worker_pid = value;
			if (pending_signal)
				kill(value, pending_signal);
		} else if (message[0] == 'R') {
			refused = 1;
		} else if (message[0] == 'S') {
			if (refused)
				fallback(argv, argc);
			end_like(value);
		}
	}
}

int main(int argc, char **argv)
{
	static int fds[MAX_FDS];
	struct buffer head = { 0 }, body = { 0 };
	char identity[PATH_MAX];
	int nfds, sock;

	if (argc < 3) {
		fprintf(stderr, "usage: %s CACHE_DIR INITGATE [ARGS...]\n", argv[0]);
		return 2;
	}
	nfds = open_fds(fds);
	if (nfds < 0 || !realpath(argv[2], identity))
		fallback(argv, argc);
	sock = connect_server(argv[1]);
	if (sock < 0)
		fallback(argv, argc);
	if (build_request(&head, &body, argc, argv, identity, fds, nfds) != 0)
		fallback(argv, argc);

	/* Signals from here on are forwarded, once the worker's pid is known. */
	catch_signals();
	if (send_request(sock, &head, &body, fds, nfds) != 0) {
		close(sock);
		fallback(argv, argc);
	}
	await_worker(sock, argv, argc);
}
