// The IVF lists section of an index file (collection/ivflists.cpp), read from a memory map as
// VectorIndex::load reads it, after the checksum: whatever its header claims, every list must
// lie inside the mapping (or be copied out of it), or the lists must come back damaged.
#include "collection/ivflists.h"
#include "fuzzsupport.h"

#include <faiss/impl/io.h>
#include <faiss/invlists/InvertedListsIOHook.h>

#include <sys/mman.h>
#include <unistd.h>

#include <memory>

using namespace lookalike;

namespace {

constexpr size_t kNlist = 8;     // what the reader is told to expect
constexpr size_t kCodeSize = 16; // an IVFFlat of dimension 4

bool insideMapping(const void *p, size_t bytes, const MappedFile &file)
{
    const auto *b = static_cast<const unsigned char *>(p);
    return b >= file.data() && b <= file.data() + file.size() && bytes <= size_t(file.data() + file.size() - b);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz::initialise();
    IvfLists::registerIo();
    // The input as a file, in memory: MappedFile maps files by path.
    static const int fd = ::memfd_create("fuzz-ivflists", MFD_CLOEXEC);
    if (fd < 0 || ::ftruncate(fd, 0) != 0 || ::pwrite(fd, data, size, 0) != ssize_t(size))
        std::abort();
    auto file = MappedFile::open(QStringLiteral("/proc/self/fd/%1").arg(fd));
    if (!file)
        return 0; // empty input
    MappedFileReader reader(*file);
    reader.expectLists(kNlist, kCodeSize);
    const faiss::InvertedListsIOHook *hook = faiss::InvertedListsIOHook::lookup(faiss::fourcc("ilLk"));
    std::unique_ptr<faiss::InvertedLists> read(hook->read(&reader, 0));
    const auto *lists = dynamic_cast<const IvfLists *>(read.get());
    if (!lists)
        std::abort();
    if (!lists->damage().empty()) {
        // Refused: the expected shape, and nothing in it.
        if (lists->nlist != kNlist || lists->code_size != kCodeSize || lists->compute_ntotal() != 0)
            std::abort();
        return 0;
    }
    // Accepted: each list's ids and codes are inside the mapping or copies; read them all.
    volatile uint64_t sink = 0;
    for (size_t l = 0; l < lists->nlist; ++l) {
        const size_t n = lists->list_size(l);
        const auto *ids = lists->get_ids(l);
        const auto *codes = lists->get_codes(l);
        const bool mapped = insideMapping(ids, 0, **file);
        if (mapped && (!insideMapping(ids, n * sizeof(*ids), **file) ||
                       !insideMapping(codes, n * lists->code_size, **file)))
            std::abort();
        for (size_t i = 0; i < n; ++i)
            sink = sink + uint64_t(ids[i]) + codes[i * lists->code_size] + codes[(i + 1) * lists->code_size - 1];
    }
    if (reader.offset() > (*file)->size())
        std::abort();
    return 0;
}
