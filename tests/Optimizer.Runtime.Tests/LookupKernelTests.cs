using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// <see cref="Kernels.LookupU8"/> against indexing the table byte by byte, at counts around its
/// 64- and 32-byte blocks (the block path where AVX-512 VBMI is, else the AVX2 one, the byte loop for the tail; Compiler.Tests'
/// IsaPathTests run it with VBMI switched off), with every byte value present.
/// </summary>
public class LookupKernelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(257)]
    [InlineData(1000)]
    public void Each_byte_becomes_its_table_entry(int count)
    {
        var random = new Random(count);
        var table = new byte[256];
        random.NextBytes(table);
        var x = Enumerable.Range(0, count).Select(i => (byte)(i * 7 + 3)).ToArray();
        var y = new byte[count + 1];
        y[count] = 0xA5; // past the end: untouched

        Kernels.LookupU8(x, y, table, count);

        Assert.Equal(x.Select(v => table[v]), y.Take(count));
        Assert.Equal(0xA5, y[count]);
    }
}
