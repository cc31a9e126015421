/*
 * Messages: one line, built in a buffer and written with one system call,
 * always starting "initgate: LIBRARY: " so a user knows which library of
 * their process is talking.  No printf: the no-libc flavour has none.
 */
#include "internal.h"

void _initgate_line_str(struct initgate_line *line, const char *s)
{
	/* Keep one byte for the newline _initgate_say adds. */
	while (s && *s && line->len < sizeof line->buf - 1)
		line->buf[line->len++] = *s++;
}

void _initgate_line_begin(struct initgate_line *line)
{
	line->len = 0;
	_initgate_line_str(line, "initgate: ");
	_initgate_line_str(line, _initgate_library ? _initgate_library
			   : "a gated library");
	_initgate_line_str(line, ": ");
}

void _initgate_line_int(struct initgate_line *line, long long n)
{
	char digits[24];
	int i = sizeof digits;
	unsigned long long u = n < 0 ? 0 - (unsigned long long)n : (unsigned long long)n;

	digits[--i] = 0;
	do {
		digits[--i] = '0' + u % 10;
		u /= 10;
	} while (u);
	if (n < 0)
		digits[--i] = '-';
	_initgate_line_str(line, digits + i);
}

/* Milliseconds with three decimals: "12.345 ms". */
void _initgate_line_ms(struct initgate_line *line, long long ns)
{
	long long us = ns / 1000;
	char frac[5];

	_initgate_line_int(line, us / 1000);
	frac[0] = '.';
	frac[1] = '0' + us / 100 % 10;
	frac[2] = '0' + us / 10 % 10;
	frac[3] = '0' + us % 10;
	frac[4] = 0;
	_initgate_line_str(line, frac);
	_initgate_line_str(line, " ms");
}

void _initgate_say(struct initgate_line *line)
{
	line->buf[line->len++] = '\n';
	_initgate_os_write_stderr(line->buf, line->len);
}

void _initgate_die(struct initgate_line *line)
{
	_initgate_say(line);
	_initgate_os_abort();
}
