/* _dl_find_object for the statically linked unwinder, for glibc older than 2.35 (Lambda's is 2.34).
 *
 * GCC 12's libgcc_eh.a, built against glibc >= 2.35, finds a frame's unwind tables with _dl_find_object
 * (GLIBC_2.35) and has no fallback. With -static-libgcc that reference lands in cv2.abi3.so, which then
 * fails to load on Amazon Linux 2023. This hidden definition satisfies it inside the module with
 * dl_iterate_phdr (GLIBC_2.2.5), which is how the unwinder searched before glibc 2.35. It only runs when
 * a C++ exception is thrown (cv::Exception -> cv2.error), so the linear search costs nothing otherwise.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stddef.h>
#include <stdint.h>

struct search {
  uintptr_t pc;
  struct dl_find_object *out;
  int found;
};

static int visit(struct dl_phdr_info *info, size_t size, void *data) {
  struct search *s = data;
  const ElfW(Phdr) *eh_frame_hdr = NULL;
  uintptr_t lo = UINTPTR_MAX, hi = 0;
  int hit = 0;
  (void)size;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr) *p = &info->dlpi_phdr[i];
    if (p->p_type == PT_LOAD) {
      uintptr_t start = info->dlpi_addr + p->p_vaddr, end = start + p->p_memsz;
      if (start < lo) lo = start;
      if (end > hi) hi = end;
      if (s->pc >= start && s->pc < end) hit = 1;
    } else if (p->p_type == PT_GNU_EH_FRAME) {
      eh_frame_hdr = p;
    }
  }
  if (!hit) return 0;
  s->out->dlfo_flags = 0;
  s->out->dlfo_map_start = (void *)lo;
  s->out->dlfo_map_end = (void *)hi;
  s->out->dlfo_link_map = NULL;
  s->out->dlfo_eh_frame = eh_frame_hdr ? (void *)(info->dlpi_addr + eh_frame_hdr->p_vaddr) : NULL;
  s->found = 1;
  return 1;
}

__attribute__((visibility("hidden"))) int _dl_find_object(void *pc, struct dl_find_object *result) {
  struct search s = {(uintptr_t)pc, result, 0};
  dl_iterate_phdr(visit, &s);
  return s.found ? 0 : -1;
}
