#include "collection/ivflists.h"

#include <QFile>

#include <faiss/impl/FaissAssert.h>
#include <faiss/invlists/InvertedListsIOHook.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <typeinfo>

namespace lookalike {

namespace {

using idx_t = faiss::InvertedLists::idx_t;

// List data starts at a multiple of this in the file (a cache line; mmap gives pages).
constexpr uint64_t kAlignment = 64;
// Bounds on what a list header may claim, checked before anything is allocated from it.
constexpr uint64_t kMaxLists = uint64_t(1) << 24;
constexpr uint64_t kMaxCodeSize = uint64_t(1) << 20;
constexpr uint64_t kMaxRows = uint64_t(1) << 40;

} // namespace

// ---------------------------------------------------------------------------------------

Result<std::shared_ptr<const MappedFile>> MappedFile::open(const QString &path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return Error(QStringLiteral("Cannot open %1: %2").arg(path, errnoText(errno)),
                     errno == ENOENT ? Error::Code::NotFound : Error::Code::Io);
    struct stat st = {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        const int err = errno;
        ::close(fd);
        return Error(QStringLiteral("Cannot map %1: %2").arg(path, S_ISREG(st.st_mode) ? errnoText(err) : QStringLiteral("not a regular file")),
                     Error::Code::Io);
    }
    if (st.st_size == 0) { // mmap refuses empty files
        ::close(fd);
        return Error(QStringLiteral("%1 is empty").arg(path), Error::Code::Corrupt);
    }
    void *p = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
    const int err = errno;
    ::close(fd); // the mapping keeps the file
    if (p == MAP_FAILED)
        return Error(QStringLiteral("Cannot map %1: %2").arg(path, errnoText(err)), Error::Code::Io);
    return std::shared_ptr<const MappedFile>(new MappedFile(static_cast<const unsigned char *>(p), size_t(st.st_size)));
}

MappedFile::~MappedFile() { ::munmap(const_cast<unsigned char *>(m_data), m_size); }

void MappedFile::willNeed() const { ::madvise(const_cast<unsigned char *>(m_data), m_size, MADV_WILLNEED); }

// ---------------------------------------------------------------------------------------

MappedFileReader::MappedFileReader(std::shared_ptr<const MappedFile> file) : m_file(std::move(file))
{
    name = "mapped index file";
}

size_t MappedFileReader::operator()(void *ptr, size_t size, size_t nitems)
{
    if (size == 0 || nitems == 0)
        return nitems;
    const size_t items = std::min(nitems, remaining() / size);
    std::memcpy(ptr, m_file->data() + m_offset, items * size);
    m_offset += items * size;
    return items; // FAISS throws on a short read
}

void MappedFileReader::expectLists(size_t nlist, size_t codeSize)
{
    m_expectedNlist = nlist;
    m_expectedCodeSize = codeSize;
}

void MappedFileReader::skip(size_t bytes)
{
    FAISS_THROW_IF_NOT_MSG(bytes <= remaining(), "index file is truncated");
    m_offset += bytes;
}

// ---------------------------------------------------------------------------------------

IvfLists::IvfLists(size_t nlist, size_t codeSize) : faiss::InvertedLists(nlist, codeSize), m_lists(nlist) {}

IvfLists *IvfLists::adopt(faiss::ArrayInvertedLists &array)
{
    auto *lists = new IvfLists(array.nlist, array.code_size);
    for (size_t l = 0; l < array.nlist; ++l) {
        List &list = lists->m_lists[l];
        list.ownedCodes = std::move(array.codes[l]);
        list.ownedIds = std::move(array.ids[l]);
        point(list);
    }
    return lists;
}

void IvfLists::point(List &l)
{
    l.codes = l.ownedCodes.data();
    l.ids = l.ownedIds.data();
    l.size = l.ownedIds.size();
    l.mapped = false;
}

IvfLists::List &IvfLists::owned(size_t list)
{
    List &l = m_lists[list];
    if (l.mapped) {
        l.ownedCodes.assign(l.codes, l.codes + l.size * code_size);
        l.ownedIds.assign(l.ids, l.ids + l.size);
        point(l);
    }
    return l;
}

size_t IvfLists::add_entries(size_t list, size_t n, const idx_t *ids, const uint8_t *codes)
{
    if (n == 0)
        return 0;
    List &l = owned(list);
    const size_t before = l.ownedIds.size();
    l.ownedIds.insert(l.ownedIds.end(), ids, ids + n);
    l.ownedCodes.insert(l.ownedCodes.end(), codes, codes + n * code_size);
    point(l);
    return before;
}

void IvfLists::update_entries(size_t list, size_t offset, size_t n, const idx_t *ids, const uint8_t *codes)
{
    List &l = owned(list);
    FAISS_THROW_IF_NOT(offset + n <= l.size);
    // memmove: FAISS may pass a code that lives in this very list (a removal moves the last
    // entry into the hole).
    std::memmove(l.ownedIds.data() + offset, ids, n * sizeof(idx_t));
    std::memmove(l.ownedCodes.data() + offset * code_size, codes, n * code_size);
}

void IvfLists::resize(size_t list, size_t newSize)
{
    List &l = owned(list);
    l.ownedIds.resize(newSize);
    l.ownedCodes.resize(newSize * code_size);
    point(l);
}

size_t IvfLists::mappedLists() const
{
    return size_t(std::count_if(m_lists.begin(), m_lists.end(), [](const List &l) { return l.mapped; }));
}

quint64 IvfLists::mappedBytes() const
{
    quint64 bytes = 0;
    for (const List &l : m_lists)
        if (l.mapped)
            bytes += quint64(l.size) * (code_size + sizeof(idx_t));
    return bytes;
}

void IvfLists::shrinkToFit()
{
    for (List &l : m_lists)
        if (!l.mapped) {
            l.ownedCodes.shrink_to_fit();
            l.ownedIds.shrink_to_fit();
            point(l);
        }
}

// ---------------------------------------------------------------------------------------
// File layout after the fourcc (native byte order, as FAISS's own):
//   u64 nlist, u64 code_size, u64 size[nlist], u64 pad, pad zero bytes,
//   the ids of list 0, 1, …, then the codes of list 0, 1, …
// `pad` puts the ids at a multiple of kAlignment from the file's start, so that the ids
// (8 bytes) and codes (IVFFlat: floats) of every list are naturally aligned in a mapping.

struct IvfListsIo final : faiss::InvertedListsIOHook
{
    IvfListsIo() : faiss::InvertedListsIOHook("ilLk", typeid(IvfLists).name()) {}

    void write(const faiss::InvertedLists *ils, faiss::IOWriter *f) const override
    {
        const auto *lists = dynamic_cast<const IvfLists *>(ils);
        FAISS_THROW_IF_NOT(lists);
        const auto put = [f](const void *p, size_t size, size_t n) {
            if (n > 0 && (*f)(p, size, n) != n)
                FAISS_THROW_MSG("write error (IVF lists)");
        };
        const uint32_t h = faiss::fourcc("ilLk");
        put(&h, sizeof h, 1);
        const uint64_t header[2] = {lists->nlist, lists->code_size};
        put(header, sizeof(uint64_t), 2);
        std::vector<uint64_t> sizes(lists->nlist);
        for (size_t l = 0; l < lists->nlist; ++l)
            sizes[l] = lists->list_size(l);
        put(sizes.data(), sizeof(uint64_t), sizes.size());
        uint64_t pad = 0;
        if (const auto *w = dynamic_cast<const OffsetWriter *>(f))
            pad = (kAlignment - (w->offset() + sizeof pad) % kAlignment) % kAlignment;
        put(&pad, sizeof pad, 1);
        const unsigned char zeros[kAlignment] = {};
        put(zeros, 1, pad);
        for (size_t l = 0; l < lists->nlist; ++l)
            put(lists->get_ids(l), sizeof(idx_t), sizes[l]);
        for (size_t l = 0; l < lists->nlist; ++l)
            put(lists->get_codes(l), lists->code_size, sizes[l]);
    }

    faiss::InvertedLists *read(faiss::IOReader *f, int /*io_flags*/) const override
    {
        auto *mapped = dynamic_cast<MappedFileReader *>(f);
        try {
            return readLists(f, mapped);
        } catch (const std::exception &e) {
            if (!mapped || mapped->expectedNlist() == 0)
                throw;
            auto lists = std::make_unique<IvfLists>(mapped->expectedNlist(), mapped->expectedCodeSize());
            lists->m_damage = e.what();
            return lists.release();
        }
    }

    static faiss::InvertedLists *readLists(faiss::IOReader *f, MappedFileReader *mapped)
    {
        const auto get = [f](void *p, size_t size, size_t n) {
            if (n > 0 && (*f)(p, size, n) != n)
                FAISS_THROW_MSG("index file is truncated (IVF lists)");
        };
        uint64_t header[2] = {};
        get(header, sizeof(uint64_t), 2);
        const uint64_t nlist = header[0], codeSize = header[1];
        FAISS_THROW_IF_NOT_MSG(nlist > 0 && nlist <= kMaxLists && codeSize > 0 && codeSize <= kMaxCodeSize,
                               "implausible IVF list header");
        FAISS_THROW_IF_NOT_MSG(!mapped || nlist * sizeof(uint64_t) <= mapped->remaining(), "index file is truncated");
        std::vector<uint64_t> sizes(nlist);
        get(sizes.data(), sizeof(uint64_t), nlist);
        uint64_t pad = 0;
        get(&pad, sizeof pad, 1);
        FAISS_THROW_IF_NOT_MSG(pad < kAlignment, "implausible IVF list padding");
        unsigned char skipped[kAlignment];
        get(skipped, 1, pad);
        uint64_t total = 0;
        for (uint64_t s : sizes) {
            total += s; // no overflow: each term is bounded below
            FAISS_THROW_IF_NOT_MSG(s <= kMaxRows && total <= kMaxRows, "implausible IVF list size");
        }
        const uint64_t idBytes = total * sizeof(idx_t), codeBytes = total * codeSize; // < 2^61
        FAISS_THROW_IF_NOT_MSG(!mapped || idBytes + codeBytes <= mapped->remaining(), "index file is truncated");

        auto lists = std::make_unique<IvfLists>(nlist, codeSize);
        const unsigned char *base = mapped ? mapped->file()->data() + mapped->offset() : nullptr;
        if (base && reinterpret_cast<uintptr_t>(base) % alignof(idx_t) == 0) {
            // Used in place. Codes of list l start at (Σ earlier sizes) × code_size past an
            // 8-aligned base: aligned for floats (IVFFlat's code_size is 4·d).
            const auto *ids = reinterpret_cast<const idx_t *>(base);
            const uint8_t *codes = base + idBytes;
            for (size_t l = 0; l < nlist; ++l) {
                IvfLists::List &list = lists->m_lists[l];
                list.ids = ids;
                list.codes = codes;
                list.size = sizes[l];
                list.mapped = true;
                ids += sizes[l];
                codes += sizes[l] * codeSize;
            }
            lists->m_file = mapped->file();
            mapped->skip(idBytes + codeBytes);
        } else {
            // Written without padding, or read from something that is not a mapping: copied.
            for (size_t l = 0; l < nlist; ++l) {
                lists->m_lists[l].ownedIds.resize(sizes[l]);
                get(lists->m_lists[l].ownedIds.data(), sizeof(idx_t), sizes[l]);
            }
            for (size_t l = 0; l < nlist; ++l) {
                lists->m_lists[l].ownedCodes.resize(sizes[l] * codeSize);
                get(lists->m_lists[l].ownedCodes.data(), codeSize, sizes[l]);
                IvfLists::point(lists->m_lists[l]);
            }
        }
        return lists.release();
    }
};

void IvfLists::registerIo()
{
    static std::once_flag once;
    std::call_once(once, [] { faiss::InvertedListsIOHook::add_callback(new IvfListsIo); });
}

} // namespace lookalike
