using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace Optimizer.Onnx;

/// <summary>
/// A read-only memory-mapped view of one tensor's bytes in an external-data file, as <see cref="Memory{T}"/>
/// so a <c>ByteString</c> can wrap it: the data is never copied into the managed heap, and its pages are
/// read from the file only when a pass or the writer touches them.
/// </summary>
/// <remarks>
/// There is no finalizer on purpose (CA2015): a span taken from the tensor could outlive the last
/// reference to this object, and unmapping under it would crash. The mapping lasts as long as the
/// process (an engine run or a test); its pages are clean file pages the kernel reclaims when memory is short. Views are at most <see cref="int.MaxValue"/> bytes, the most a <see cref="Memory{T}"/> spans;
/// larger tensors stay <see cref="ExternalTensorReference"/>s.
/// </remarks>
internal sealed unsafe class MappedRegion : MemoryManager<byte>
{
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _pointer;
    private readonly int _length;
    private int _released;

    public MappedRegion(MemoryMappedFile file, long offset, int length)
    {
        _length = length;
        // A zero-length view maps the rest of the file; an empty tensor needs no view at all.
        _view = file.CreateViewAccessor(offset, Math.Max(length, 1), MemoryMappedFileAccess.Read);
        byte* start = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        _pointer = start + _view.PointerOffset;
    }

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
    }
}
