using System.Runtime.InteropServices;

namespace Optimizer.Runtime.Compiled;

/// <summary>
/// What a runner keeps between calls: the layout of the last input shape and an arena at least
/// that large (64-byte aligned, grown, never shrunk), so calls at a stable shape allocate nothing.
/// Not thread-safe: one per runner.
/// </summary>
internal sealed unsafe class ShapeState(KernelProgram program) : IDisposable
{
    private long _capacity;

    public byte* Arena { get; private set; }

    public ProgramLayout? Layout { get; private set; }

    /// <summary>The layout for <paramref name="symbols"/>: the last one when the shape did not change.</summary>
    public ProgramLayout Prepare(ReadOnlySpan<long> symbols)
    {
        if (Layout is { } current && symbols.SequenceEqual(current.SymbolValues))
        {
            return current;
        }

        var layout = ProgramLayout.For(program, symbols);
        if (layout.ArenaBytes > _capacity)
        {
            Free();
            Arena = (byte*)NativeMemory.AlignedAlloc((nuint)layout.ArenaBytes, 64);
            _capacity = layout.ArenaBytes;
        }

        Layout = layout;
        return layout;
    }

    public void Dispose() => Free();

    private void Free()
    {
        if (Arena != null)
        {
            NativeMemory.AlignedFree(Arena);
            Arena = null;
            _capacity = 0;
        }
    }
}
