using System.Runtime.InteropServices;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Support;

/// <summary>Runs a kernel program on ONNX test tensors and returns each output as raw little-endian bytes.</summary>
internal static class ProgramRunner
{
    /// <summary>Compiles <paramref name="model"/>, failing the test with the reasons when it does not compile.</summary>
    public static KernelProgram Compile(OnnxModel model)
    {
        var result = KernelCompiler.Compile(model);
        Xunit.Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        return result.Program!;
    }

    /// <summary>Runs the program at the inputs' shapes (the symbolic dimensions bound from them).</summary>
    public static byte[][] Run(KernelProgram program, IReadOnlyList<OnnxTensor> inputs)
    {
        using var executor = new KernelExecutor(program);
        var symbols = ProgramLayout.Bind(program, inputs.Select(t => t.Dims.Select(d => checked((int)d)).ToArray()).ToArray());
        return Run(executor, inputs.Select(t => t.ToRawBytes()).ToArray(), symbols);
    }

    /// <summary>Runs a program whose one symbolic dimension (if any) is the batch.</summary>
    public static byte[][] Run(KernelExecutor executor, byte[][] inputs, int batch) => Run(executor, inputs, BatchSymbols(executor.Program, batch));

    private static byte[][] Run(KernelExecutor executor, byte[][] inputs, long[] symbols)
    {
        var program = executor.Program;
        var outputs = program.Outputs.Select(o => new byte[o.ElementCount(symbols) * ElementSize(o.ElementType)]).ToArray();
        var all = inputs.Concat(outputs).Select(a => GCHandle.Alloc(a, GCHandleType.Pinned)).ToArray();
        try
        {
            var addresses = all.Select(h => h.AddrOfPinnedObject()).ToArray();
            executor.Run(symbols, addresses.AsSpan(0, inputs.Length), addresses.AsSpan(inputs.Length));
        }
        finally
        {
            foreach (var h in all)
            {
                h.Free();
            }
        }

        return outputs;
    }

    /// <summary>The symbolic dimensions' values of a program whose one symbol (if any) is the batch.</summary>
    public static long[] BatchSymbols(KernelProgram program, int batch) => program.Symbols.Count switch
    {
        0 => [],
        1 => [batch],
        _ => throw new ArgumentException($"the program has {program.Symbols.Count} symbolic dimensions; bind them from the input shapes"),
    };

    public static int ElementSize(KernelElementType type) => type switch
    {
        KernelElementType.Float32 or KernelElementType.Int32 => 4,
        KernelElementType.Int64 => 8,
        _ => 1,
    };

    public static float[] Floats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();
}
