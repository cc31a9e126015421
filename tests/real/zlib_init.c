/*
 * The init function the zlib tests compile into libz with --init-source.
 *
 * It does real work through zlib's own exported API, on the init thread
 * (where the gate must let it through): compress two megabytes, inflate
 * them back, and check the bytes and both checksums.  Built with -DZ_PREFIX
 * too, where zlib.h renames every call.  Hidden, so the export table is
 * zlib's alone.
 */
#include <string.h>

#include "zlib.h"
#include "hold.h"

#define SIZE (2 << 20)

static unsigned char original[SIZE], packed[SIZE + SIZE / 100 + 64], unpacked[SIZE];

__attribute__((visibility("hidden"))) int zlib_test_init(void)
{
	uLongf packed_size = sizeof(packed), unpacked_size = sizeof(unpacked);
	unsigned long state = 1;
	size_t i;

	if (hold_for_test() != 0)
		return 1;

	/* Text-like bytes: compressible, but not trivially. */
	for (i = 0; i < SIZE; i++) {
		state = state * 1103515245 + 12345;
		original[i] = "abcdefgh \n"[(state >> 16) % 10];
	}
	if (compress2(packed, &packed_size, original, SIZE, 6) != Z_OK)
		return 2;
	if (uncompress(unpacked, &unpacked_size, packed, packed_size) != Z_OK)
		return 3;
	if (unpacked_size != SIZE || memcmp(original, unpacked, SIZE) != 0)
		return 4;
	if (crc32(0, original, SIZE) != crc32(0, unpacked, SIZE) ||
	    adler32(1, original, SIZE) != adler32(1, unpacked, SIZE))
		return 5;
	return 0;
}
