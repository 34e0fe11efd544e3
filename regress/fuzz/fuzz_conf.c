/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/* libFuzzer target: any text as named.conf. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	conf_free(conf_load_string(text, "fuzz.conf", NULL, NULL));
	free(text);
	return 0;
}
