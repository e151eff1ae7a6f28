// What the build stores of a kernel program: everything but the weights that are the optimized
// model's initializers (the runtime rebuilds those from the embedded model at load time), checked
// here by loading it exactly as the app will, against the exact model bytes the app embeds.

using Optimizer.Runtime.Compiled;

namespace Optimizer.Engine.Compilation;

/// <summary>The stored form of a compiled program, with its weights read from the model where that loads the same bytes.</summary>
internal static class ProgramBytes
{
    /// <summary>
    /// <paramref name="program"/> without the weights <paramref name="modelBytes"/> holds, when
    /// loading it from those bytes gives every weight bit for bit; otherwise with all of them.
    /// </summary>
    public static byte[] Of(KernelProgram program, byte[] modelBytes)
    {
        if (program.References.Count == 0)
        {
            return program.ToBytes();
        }

        var bytes = program.ToBytes(ProgramWeights.FromModel);
        try
        {
            using var loaded = KernelProgram.Read(bytes, modelBytes);
            if (loaded.Weights.SequenceEqual(program.Weights))
            {
                return bytes;
            }
        }
        catch (InvalidDataException)
        {
            // An initializer the serialized model keeps in another field than raw_data: store the weights.
        }

        return program.ToBytes();
    }
}
