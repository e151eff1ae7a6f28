using System.Diagnostics;

namespace Optimizer.Tests.Shared;

/// <summary>An encoder variant build/make-encoder-variants.py writes (the script's table says its export styles) and its block count.</summary>
internal sealed record EncoderVariant(string Name, int Blocks);

/// <summary>
/// The BERT-family encoders build/make-encoder-variants.py writes from arctic_embed_xs's own weights in
/// other export styles, each generated on first use into a temporary folder removed when the test process exits.
/// Tests that use them declare <see cref="Needs.PythonOnnx"/> and <c>data/models</c>.
/// </summary>
internal static class EncoderVariants
{
    /// <summary>arctic's math respelled: opset 14, constant shapes, Mul scale, Where mask, int32 ids, sentence_embedding output.</summary>
    public static EncoderVariant Bert6 { get; } = new("bert6", 6);

    /// <summary>4 layers, 2 inputs, opset 17 LayerNormalization, SDPA's scaled Q and Kᵀ, pooler_output.</summary>
    public static EncoderVariant Sdpa4 { get; } = new("sdpa4", 4);

    /// <summary>6 layers, tanh Gelu, Mul scale, opset 11 with Concat-of-Shape reshapes.</summary>
    public static EncoderVariant Tanh6 { get; } = new("tanh6", 6);

    public static IReadOnlyList<EncoderVariant> All { get; } = [Bert6, Sdpa4, Tanh6];

    public static EncoderVariant Named(string name) => All.Single(v => v.Name == name);

    /// <summary>The variant's model file, generated on first use (a few seconds each: they are 70–90 MB).</summary>
    public static string PathOf(EncoderVariant variant)
    {
        lock (Generated)
        {
            var path = Path.Combine(Folder.Value, variant.Name + ".onnx");
            if (Generated.Add(variant.Name))
                Generate(variant.Name);
            return path;
        }
    }

    private static readonly HashSet<string> Generated = [];

    private static readonly Lazy<string> Folder = new(() =>
    {
        var folder = Directory.CreateTempSubdirectory("optimizer-encoder-variants-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
        return folder;
    });

    private static void Generate(string name)
    {
        var script = Path.Combine(RepositoryLayout.RequiredRoot, "build", "make-encoder-variants.py");
        var arctic = Path.Combine(RepositoryLayout.RequiredShared("data/models"), "arctic_embed_xs.onnx");
        var start = new ProcessStartInfo(TestNeeds.SystemPython, [script, arctic, Folder.Value, name]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{script} {name} failed ({process.ExitCode}): {errors.Result}");
    }
}
