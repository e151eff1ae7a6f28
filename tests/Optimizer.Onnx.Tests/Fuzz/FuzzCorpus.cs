using Optimizer.Onnx.Protobuf;
using Optimizer.Onnx.Tests.Support;

namespace Optimizer.Onnx.Tests.Fuzz;

/// <summary>
/// The fuzz targets' inputs: <c>Fuzz/corpus/*.onnx</c> in the repository (seeds and the regression
/// inputs of crashes found, each named <c>&lt;expected code or ok&gt;-&lt;what&gt;.onnx</c>) plus the small real
/// models of <c>../shared/data/models</c> when present.
/// </summary>
internal static class FuzzCorpus
{
    private const long MaxSharedModelBytes = 512 << 10;

    public static string Folder => Path.Combine(TestPaths.RepositoryRoot, "tests", "Optimizer.Onnx.Tests", "Fuzz", "corpus");

    /// <summary>Every corpus file with the code its name says it must give ("ok" = loads and infers).</summary>
    public static IReadOnlyList<(string Path, string Expected)> RegressionInputs() =>
        Directory.GetFiles(Folder, "*.onnx").Order(StringComparer.Ordinal)
            .Select(p => (p, Path.GetFileName(p)[..Path.GetFileName(p).IndexOf('-')])).ToArray();

    /// <summary>The seeds to mutate: bytes and, where they parse, the proto.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes, ModelProto? Proto)> Seeds()
    {
        var files = Directory.GetFiles(Folder, "*.onnx").AsEnumerable();
        if (TestPaths.SharedFolder is { } shared)
        {
            files = files.Concat(Directory.GetFiles(Path.Combine(shared, "data", "models"), "*.onnx").Where(f => new FileInfo(f).Length <= MaxSharedModelBytes));
        }

        return files.Order(StringComparer.Ordinal).Select(f =>
        {
            var bytes = File.ReadAllBytes(f);
            ModelProto? proto;
            try
            {
                proto = ModelProto.Parser.ParseFrom(bytes);
            }
            catch (Google.Protobuf.InvalidProtocolBufferException)
            {
                proto = null;
            }

            return (Path.GetFileName(f), bytes, proto?.Graph is null ? null : proto);
        }).ToArray();
    }
}
