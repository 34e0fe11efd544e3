/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The named.conf lexer and the generic statement tree.
 *
 * Grammar: a file is a list of statements; a statement is a list of
 * values (words, quoted strings, { blocks }) ended by ';'; a block is a
 * list of statements. Comments are C (/ * * /), C++ (//) and shell (#).
 * "include "file";" is replaced by the statements of that file wherever a
 * statement may appear (depth-limited, so include loops end).
 * Runs in: apex-named parent, apex-xferd, apex-named -C.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "error.h"

#define CFG_MAX_DEPTH		32	/* nested blocks */
#define CFG_MAX_INCLUDE		16	/* nested includes */
#define CFG_MAX_FILE		(64 << 20)

enum tok {
	TOK_EOF,
	TOK_WORD,
	TOK_STRING,
	TOK_LBRACE,
	TOK_RBRACE,
	TOK_SEMI,
	TOK_ERROR,
};

struct lexer {
	const char	*p, *end;
	const char	*file;
	unsigned	 line;
	char		*text;		/* current token's text (owned) */
	unsigned	 tokline;
};

struct parser {
	struct cfg_tree	*tree;
	conf_report_fn	*report;
	void		*arg;
	int		 errors;
	unsigned	 include_depth;
};

static void PRINTF(4, 5)
perr(struct parser *ps, const char *file, unsigned line, const char *fmt,
    ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ps->errors++;
	if (ps->report != NULL)
		ps->report(ps->arg, file, line, true, msg);
}

static bool
is_word_char(char c)
{
	return c > ' ' && c != '{' && c != '}' && c != ';' && c != '"' &&
	    c != 0x7f;
}

static int
skip_space_and_comments(struct lexer *lx)
{
	while (lx->p < lx->end) {
		char c = *lx->p;
		if (c == '\n') {
			lx->line++;
			lx->p++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
		    c == '\v')
			lx->p++;
		else if (c == '#' || (c == '/' && lx->p + 1 < lx->end &&
		    lx->p[1] == '/')) {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		} else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '*') {
			unsigned start = lx->line;
			lx->p += 2;
			for (;;) {
				if (lx->p + 1 >= lx->end) {
					lx->line = start;
					return -1;
				}
				if (*lx->p == '\n')
					lx->line++;
				if (lx->p[0] == '*' && lx->p[1] == '/') {
					lx->p += 2;
					break;
				}
				lx->p++;
			}
		} else
			break;
	}
	return 0;
}

static enum tok
lex(struct lexer *lx, struct parser *ps)
{
	str_free_wipe(lx->text);
	lx->text = NULL;
	if (skip_space_and_comments(lx) != 0) {
		perr(ps, lx->file, lx->line, "unterminated comment");
		return TOK_ERROR;
	}
	lx->tokline = lx->line;
	if (lx->p >= lx->end)
		return TOK_EOF;
	char c = *lx->p;
	switch (c) {
	case '{':
		lx->p++;
		return TOK_LBRACE;
	case '}':
		lx->p++;
		return TOK_RBRACE;
	case ';':
		lx->p++;
		return TOK_SEMI;
	case '"': {
		size_t cap = 64, n = 0;
		char *s = xmalloc(cap);
		lx->p++;
		for (;;) {
			if (lx->p >= lx->end) {
				free_wipe(s, cap);
				perr(ps, lx->file, lx->tokline,
				    "unterminated string");
				return TOK_ERROR;
			}
			c = *lx->p++;
			if (c == '"')
				break;
			if (c == '\n')
				lx->line++;
			if (c == '\\' && lx->p < lx->end)
				c = *lx->p++;
			if (n + 2 > cap) {
				s = xrealloc_wipe(s, cap, cap * 2);
				cap *= 2;
			}
			s[n++] = c;
		}
		s[n] = '\0';
		if (strlen(s) != n) {
			free_wipe(s, cap);
			perr(ps, lx->file, lx->tokline, "NUL in string");
			return TOK_ERROR;
		}
		lx->text = s;
		return TOK_STRING;
	}
	}
	if (c == '!') {
		/* "!" negates the next element: a token of its own. */
		lx->p++;
		lx->text = xstrdup("!");
		return TOK_WORD;
	}
	if (!is_word_char(c)) {
		perr(ps, lx->file, lx->line, "unexpected character 0x%02x",
		    (unsigned char)c);
		return TOK_ERROR;
	}
	const char *start = lx->p;
	while (lx->p < lx->end && is_word_char(*lx->p)) {
		if (*lx->p == '/' && lx->p + 1 < lx->end &&
		    (lx->p[1] == '/' || lx->p[1] == '*'))
			break;
		if (*lx->p == '#')
			break;
		lx->p++;
	}
	size_t n = (size_t)(lx->p - start);
	lx->text = xmalloc(n + 1);
	memcpy(lx->text, start, n);
	lx->text[n] = '\0';
	return TOK_WORD;
}

static void	block_free(struct cfg_block *);

/* Frees what a statement holds, not the statement itself. */
static void
stmt_free(struct cfg_stmt *st)
{
	for (unsigned j = 0; j < st->n; j++) {
		str_free_wipe(st->v[j].s);
		block_free(st->v[j].block);
		free(st->v[j].block);
	}
	free(st->v);
	st->v = NULL;
	st->n = 0;
}

static void
block_free(struct cfg_block *b)
{
	if (b == NULL)
		return;
	for (unsigned i = 0; i < b->n; i++)
		stmt_free(&b->s[i]);
	free(b->s);
	b->s = NULL;
	b->n = 0;
}

void
cfg_tree_free(struct cfg_tree *t)
{
	if (t == NULL)
		return;
	block_free(&t->top);
	for (unsigned i = 0; i < t->nfiles; i++)
		free(t->files[i]);
	free(t->files);
	free(t);
}

static const char *
tree_add_file(struct cfg_tree *t, const char *name)
{
	t->files = xreallocarray(t->files, t->nfiles + 1, sizeof(char *));
	t->files[t->nfiles] = xstrdup(name);
	return t->files[t->nfiles++];
}

static int parse_text(struct parser *, const char *text, size_t len,
    const char *file, struct cfg_block *into);

/* The whole file, read without stdio (whose buffer would keep a copy
 * of any secret in it after fclose). Free it with free_wipe(). */
static char *
read_file(const char *path, size_t *len, size_t *cap_out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free_wipe(buf, cap);
			close(fd);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n < cap)
			continue;
		if (cap >= CFG_MAX_FILE) {
			free_wipe(buf, cap);
			close(fd);
			errno = EFBIG;
			return NULL;
		}
		buf = xrealloc_wipe(buf, cap, cap * 2);
		cap *= 2;
	}
	close(fd);
	*len = n;
	*cap_out = cap;
	return buf;
}

static int
parse_file_into(struct parser *ps, const char *path, const char *from,
    unsigned fromline, struct cfg_block *into)
{
	size_t len, cap;
	char *text = read_file(path, &len, &cap);

	if (text == NULL) {
		if (from != NULL)
			perr(ps, from, fromline, "open: %s: %s", path,
			    strerror(errno));
		else
			perr(ps, path, 0, "open: %s", strerror(errno));
		return APEX_EIO;
	}
	const char *name = tree_add_file(ps->tree, path);
	int rc = parse_text(ps, text, len, name, into);
	free_wipe(text, cap);
	return rc;
}

static void
block_append(struct cfg_block *b, struct cfg_stmt *st)
{
	b->s = xreallocarray(b->s, b->n + 1, sizeof(*b->s));
	b->s[b->n++] = *st;
}

static void
stmt_append(struct cfg_stmt *st, struct cfg_val *v)
{
	st->v = xreallocarray(st->v, st->n + 1, sizeof(*st->v));
	st->v[st->n++] = *v;
}

/*
 * Parses statements until '}' (depth > 0) or end of input (depth 0).
 * Returns: 0, or -1 after a reported error (parsing stops).
 */
static int
parse_block(struct parser *ps, struct lexer *lx, struct cfg_block *into,
    unsigned depth)
{
	struct cfg_stmt st = { lx->file, 0, 0, NULL };
	enum tok t;

	if (depth > CFG_MAX_DEPTH) {
		perr(ps, lx->file, lx->line, "blocks nested too deeply");
		return -1;
	}
	for (;;) {
		t = lex(lx, ps);
		switch (t) {
		case TOK_ERROR:
			goto fail;
		case TOK_EOF:
			if (st.n > 0) {
				perr(ps, lx->file, st.line,
				    "missing ';' before end of file");
				goto fail;
			}
			if (depth > 0) {
				perr(ps, lx->file, lx->line,
				    "missing '}' before end of file");
				goto fail;
			}
			return 0;
		case TOK_RBRACE:
			if (st.n > 0) {
				perr(ps, lx->file, lx->tokline,
				    "missing ';' before '}'");
				goto fail;
			}
			if (depth == 0) {
				perr(ps, lx->file, lx->tokline,
				    "unexpected '}'");
				goto fail;
			}
			return 0;
		case TOK_SEMI:
			/* A ';' with no statement before it: BIND's words. */
			if (st.n == 0) {
				perr(ps, lx->file, lx->tokline, depth == 0 ?
				    "syntax error near ';'" :
				    "'}' expected near ';'");
				goto fail;
			}
			if (st.n == 2 && !st.v[0].quoted &&
			    st.v[0].block == NULL &&
			    strcmp(st.v[0].s, "include") == 0 &&
			    st.v[1].s != NULL) {
				int rc;
				if (ps->include_depth >= CFG_MAX_INCLUDE) {
					perr(ps, st.file, st.line,
					    "includes nested too deeply");
					goto fail;
				}
				ps->include_depth++;
				rc = parse_file_into(ps, st.v[1].s, st.file,
				    st.line, into);
				ps->include_depth--;
				stmt_free(&st);
				if (rc != 0)
					return -1;
			} else
				block_append(into, &st);
			st.n = 0;
			st.v = NULL;
			continue;
		case TOK_LBRACE: {
			struct cfg_val v = { NULL, false, NULL, lx->tokline };
			if (st.n == 0)
				st.line = lx->tokline;
			v.block = xcalloc(1, sizeof(*v.block));
			stmt_append(&st, &v);
			if (parse_block(ps, lx, v.block, depth + 1) != 0)
				goto fail;
			continue;
		}
		case TOK_WORD:
		case TOK_STRING: {
			struct cfg_val v = { lx->text, t == TOK_STRING, NULL,
			    lx->tokline };
			if (st.n == 0)
				st.line = lx->tokline;
			lx->text = NULL;
			stmt_append(&st, &v);
			continue;
		}
		}
	}
fail:
	stmt_free(&st);
	return -1;
}

static int
parse_text(struct parser *ps, const char *text, size_t len,
    const char *file, struct cfg_block *into)
{
	struct lexer lx = { text, text + len, file, 1, NULL, 1 };

	if (memchr(text, '\0', len) != NULL) {
		perr(ps, file, 0, "file contains a NUL byte");
		return -1;
	}
	int rc = parse_block(ps, &lx, into, 0);
	str_free_wipe(lx.text);
	return rc;
}

struct cfg_tree *
cfg_parse_file(const char *path, conf_report_fn *report, void *arg)
{
	struct parser ps = { xcalloc(1, sizeof(struct cfg_tree)), report,
	    arg, 0, 0 };

	if (parse_file_into(&ps, path, NULL, 0, &ps.tree->top) != 0 ||
	    ps.errors > 0) {
		cfg_tree_free(ps.tree);
		return NULL;
	}
	return ps.tree;
}

struct cfg_tree *
cfg_parse_string(const char *text, const char *name, conf_report_fn *report,
    void *arg)
{
	struct parser ps = { xcalloc(1, sizeof(struct cfg_tree)), report,
	    arg, 0, 0 };
	const char *fname = tree_add_file(ps.tree, name);

	if (parse_text(&ps, text, strlen(text), fname, &ps.tree->top) != 0 ||
	    ps.errors > 0) {
		cfg_tree_free(ps.tree);
		return NULL;
	}
	return ps.tree;
}
