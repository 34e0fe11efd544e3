/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/* apex-ctl tsig-keygen: a new TSIG key as a named.conf key clause. */
#ifndef APEX_CTL_KEYGEN_H
#define APEX_CTL_KEYGEN_H

int	keygen_main(int argc, char **argv);

#endif
