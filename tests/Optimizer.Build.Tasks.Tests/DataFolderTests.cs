using Optimizer.Build.Tasks.Caching;

namespace Optimizer.Build.Tasks.Tests;

/// <summary>
/// A data option may name a folder of ONNX test-data feeds (test_data_set_*/input_&lt;i&gt;.pb): the
/// task accepts it, hashes every feed file (editing one re-runs the engine), and refuses any other
/// folder with OPT1024 at the declaration.
/// </summary>
public sealed class DataFolderTests : IDisposable
{
    private const string Source = """
        using Optimizer.Runtime;
        namespace App;

        [OnnxModel("Models/vad.onnx")]
        [Quantize(QuantizationMode.StaticInt8, Calibration = "Data/feeds")]
        public partial class Vad;
        """;

    private readonly TempProject _project = new();

    public DataFolderTests()
    {
        _project.WriteFile("Models/vad.onnx", "model bytes");
        _project.WriteFile("Data/feeds/test_data_set_0/input_0.pb", "feed 0 input 0");
        _project.WriteFile("Data/feeds/test_data_set_0/input_1.pb", "feed 0 input 1");
        _project.WriteFile("Data/feeds/test_data_set_1/input_0.pb", "feed 1 input 0");
        _project.WriteFile("Data/feeds/test_data_set_1/input_1.pb", "feed 1 input 1");
    }

    public void Dispose() => _project.Dispose();

    [Fact]
    public void A_test_data_folder_is_accepted_and_every_feed_file_is_in_the_key()
    {
        var result = Discover.Sources(_project, ("Program.cs", Source));
        Assert.Empty(result.Diagnostics);
        var plan = Assert.Single(result.Plans);
        var text = CacheKey.CanonicalText(plan, "engine");
        Assert.Contains("Calibration[test_data_set_0/input_1.pb].sha256=", text);
        Assert.Contains("Calibration[test_data_set_1/input_0.pb].sha256=", text);

        var before = CacheKey.Compute(plan, "engine");
        _project.WriteFile("Data/feeds/test_data_set_1/input_1.pb", "feed 1 input 1, edited");
        Assert.NotEqual(before, CacheKey.Compute(plan, "engine"));
    }

    [Theory]
    [InlineData("Data/empty/readme.txt", "holds no test_data_set_* folder")]
    [InlineData("Data/empty/test_data_set_0/output_0.pb", "with no input_<i>.pb file")]
    [InlineData("Data/empty/test_data_set_0/input_1.pb", "no input_0.pb")]
    public void Another_folder_is_OPT1024_at_the_pass(string file, string reason)
    {
        _project.WriteFile(file, "x");
        var result = Discover.Sources(_project, ("Program.cs", Source.Replace("Data/feeds", "Data/empty")));
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(("OPT1024", 5), (error.Code, error.Location.Line));
        Assert.Contains(reason, error.Message);
        Assert.Empty(result.Plans);
    }
}
