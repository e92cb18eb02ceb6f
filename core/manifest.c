// SPDX-License-Identifier: BSD-2-Clause
#include <stddef.h>
#include <string.h>

#include "cursor.h"
#include "error.h"
#include "manifest.h"
#include "modbtf.h"

_Static_assert(sizeof(struct ksr_manifest_hdr) == 216, "manifest header is a file format");
_Static_assert(offsetof(struct ksr_manifest_hdr, arch) == KSR_MANIFEST_V1_HDR, "v2 extends v1");
_Static_assert(sizeof(struct ksr_manifest_site) == 32, "manifest record is a file format");
_Static_assert(sizeof(struct ksr_manifest_mod) == 24, "manifest module record is a file format");

int ksr_manifest__parse(const void *data, size_t len, struct ksr_manifest *m)
{
	struct ksr_cur c = ksr_cur_make(data, len);
	const uint8_t *p;
	uint64_t recs;
	size_t hdr_len = KSR_MANIFEST_V1_HDR;

	memset(m, 0, sizeof(*m));
	if (!ksr_cur_copy(&c, &m->hdr, KSR_MANIFEST_V1_HDR))
		return ksr_err(KSR_EMALFORMED, KSR_MANIFEST_SEC ": shorter than its header (offset 0x0)");
	if (memcmp(m->hdr.magic, KSR_MANIFEST_MAGIC, sizeof(KSR_MANIFEST_MAGIC)) != 0)
		return ksr_err(KSR_EMALFORMED, KSR_MANIFEST_SEC ": bad magic (offset 0x0)");
	if (m->hdr.version < 1 || m->hdr.version > KSR_MANIFEST_VERSION_MODS)
		return ksr_err(KSR_EMALFORMED, KSR_MANIFEST_SEC ": unsupported version %u (offset 0x8)",
			       m->hdr.version);
	if (m->hdr.version >= 2) {
		hdr_len = sizeof(m->hdr);
		if (!ksr_cur_copy(&c, &m->hdr.arch, sizeof(m->hdr) - KSR_MANIFEST_V1_HDR))
			return ksr_err(KSR_EMALFORMED, KSR_MANIFEST_SEC ": shorter than its header (offset 0x0)");
		if (m->hdr.build_id_len > sizeof(m->hdr.build_id) ||
		    (m->hdr.flags & ~KSR_MANIFEST_F_KCONFIG_BAKED) ||
		    (m->hdr.version == 2 && m->hdr.mod_cnt != 0))
			return ksr_err(KSR_EMALFORMED, KSR_MANIFEST_SEC ": bad build ID fields (offset 0x%x)",
				       KSR_MANIFEST_V1_HDR);
		for (size_t i = m->hdr.build_id_len; i < sizeof(m->hdr.build_id); i++)
			if (m->hdr.build_id[i])
				return ksr_err(KSR_EMALFORMED, KSR_MANIFEST_SEC ": build ID not zero-padded (offset 0x%zx)",
					       KSR_MANIFEST_V1_HDR + 8 + i);
	}
	if (m->hdr.site_cnt > KSR_MANIFEST_MAX_SITES || m->hdr.mod_cnt > KSR_MANIFEST_MAX_MODS ||
	    m->hdr.release[sizeof(m->hdr.release) - 1] != '\0')
		return ksr_err(KSR_EMALFORMED, KSR_MANIFEST_SEC ": bad header fields (offset 0xc)");
	recs = (uint64_t)m->hdr.site_cnt * sizeof(struct ksr_manifest_site);
	if (!ksr_cur_bytes(&c, recs, &m->sites))
		return ksr_err(KSR_EMALFORMED, KSR_MANIFEST_SEC ": %u records past the end (offset 0x%zx)",
			       m->hdr.site_cnt, hdr_len);
	if (!ksr_cur_bytes(&c, (uint64_t)m->hdr.mod_cnt * sizeof(struct ksr_manifest_mod), &m->mods))
		return ksr_err(KSR_EMALFORMED, KSR_MANIFEST_SEC ": %u module records past the end (offset 0x%llx)",
			       m->hdr.mod_cnt, (unsigned long long)(hdr_len + recs));
	recs += (uint64_t)m->hdr.mod_cnt * sizeof(struct ksr_manifest_mod);
	if (m->hdr.strs_len == 0 || ksr_cur_left(&c) != m->hdr.strs_len ||
	    !ksr_cur_bytes(&c, m->hdr.strs_len, &p) || p[0] != '\0' ||
	    p[m->hdr.strs_len - 1] != '\0')
		return ksr_err(KSR_EMALFORMED, KSR_MANIFEST_SEC ": string table invalid (offset 0x%llx)",
			       (unsigned long long)(hdr_len + recs));
	m->strs = (const char *)p;
	m->strs_len = m->hdr.strs_len;
	for (uint32_t i = 0; i < m->hdr.mod_cnt; i++) {
		struct ksr_manifest_mod mod;
		const char *name;

		ksr_manifest__mod(m, i, &mod);
		name = ksr_manifest__mod_name(m, &mod);
		if (!name || !ksr_modbtf_name_ok(name) || mod.reserved)
			return ksr_err(KSR_EMALFORMED, KSR_MANIFEST_SEC ": module record %u invalid (offset 0x%llx)",
				       i, (unsigned long long)(hdr_len + (uint64_t)m->hdr.site_cnt *
							       sizeof(struct ksr_manifest_site) +
							       (uint64_t)i * sizeof(mod)));
	}
	return 0;
}

void ksr_manifest__mod(const struct ksr_manifest *m, uint32_t i, struct ksr_manifest_mod *mod)
{
	memcpy(mod, m->mods + (size_t)i * sizeof(*mod), sizeof(*mod));
}

const char *ksr_manifest__mod_name(const struct ksr_manifest *m, const struct ksr_manifest_mod *mod)
{
	struct ksr_cur c = ksr_cur_make(m->strs, m->strs_len);

	return ksr_cur_str_at(&c, mod->name_off);
}

void ksr_manifest__site(const struct ksr_manifest *m, uint32_t i, struct ksr_manifest_site *s)
{
	memcpy(s, m->sites + (size_t)i * sizeof(*s), sizeof(*s));
}

const char *ksr_manifest__name(const struct ksr_manifest *m, const struct ksr_manifest_site *s)
{
	struct ksr_cur c = ksr_cur_make(m->strs, m->strs_len);

	return ksr_cur_str_at(&c, s->name_off);
}
