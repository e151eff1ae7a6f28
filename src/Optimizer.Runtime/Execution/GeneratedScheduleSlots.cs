using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime;

/// <summary>
/// What a generated kernel schedule reads its arguments with: the run's slots
/// (<see cref="ProgramLayout.Slots"/>) in order, each operand's byte offset and length then each
/// integer argument, exactly as <see cref="ProgramLayout"/> numbers them. A schedule that reads
/// every value through it is a few bytes of IL per argument (no literal, no slot index) and never
/// holds a size that could disagree with the program; after a jump it moves to the target step's
/// first slot.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public ref struct ScheduleSlots
{
    private readonly ReadOnlySpan<int> _slots;
    private int _next;

    /// <summary>Starts at the first slot.</summary>
    public ScheduleSlots(ReadOnlySpan<int> slots)
    {
        _slots = slots;
        _next = 0;
    }

    /// <summary>Continues at slot <paramref name="slot"/> (the first of a jump target's step).</summary>
    public void MoveTo(int slot) => _next = slot;

    /// <summary>The next integer argument.</summary>
    public int Int() => _slots[_next++];

    /// <summary>The next <paramref name="count"/> integer arguments, as the span a kernel takes.</summary>
    public ReadOnlySpan<int> Ints(int count)
    {
        var span = _slots.Slice(_next, count);
        _next += count;
        return span;
    }

    /// <summary>An operand the step leaves empty (its two slots are skipped).</summary>
    public Span<T> Empty<T>()
    {
        _next += 2;
        return default;
    }

    /// <summary>The next operand as floats of <paramref name="region"/>.</summary>
    public Span<float> F32(Span<byte> region) => KernelBuffers.F32(region, Int(), Int());

    /// <inheritdoc cref="F32(Span{byte})"/>
    public ReadOnlySpan<float> F32(ReadOnlySpan<byte> region) => KernelBuffers.F32(region, Int(), Int());

    /// <summary>The next operand as bytes of <paramref name="region"/>.</summary>
    public Span<byte> U8(Span<byte> region) => KernelBuffers.U8(region, Int(), Int());

    /// <inheritdoc cref="U8(Span{byte})"/>
    public ReadOnlySpan<byte> U8(ReadOnlySpan<byte> region) => KernelBuffers.U8(region, Int(), Int());

    /// <summary>The next operand as 32-bit integers of <paramref name="region"/>.</summary>
    public Span<int> S32(Span<byte> region) => KernelBuffers.S32(region, Int(), Int());

    /// <inheritdoc cref="S32(Span{byte})"/>
    public ReadOnlySpan<int> S32(ReadOnlySpan<byte> region) => KernelBuffers.S32(region, Int(), Int());
}
