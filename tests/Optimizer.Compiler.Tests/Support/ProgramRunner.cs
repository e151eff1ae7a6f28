using System.Runtime.InteropServices;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Support;

/// <summary>Runs a kernel program on ONNX test tensors and returns each output as raw little-endian bytes.</summary>
internal static class ProgramRunner
{
    public static byte[][] Run(KernelProgram program, IReadOnlyList<OnnxTensor> inputs, int batch = 1)
    {
        using var executor = new KernelExecutor(program);
        return Run(executor, inputs.Select(t => t.ToRawBytes()).ToArray(), batch);
    }

    public static byte[][] Run(KernelExecutor executor, byte[][] inputs, int batch)
    {
        var program = executor.Program;
        var symbols = BatchSymbols(program, batch);
        var outputs = program.Outputs.Select(o => new byte[o.ElementCount(symbols) * (o.ElementType == KernelElementType.Float32 || o.ElementType == KernelElementType.Int32 ? 4 : 1)]).ToArray();
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

    public static float[] Floats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();
}
