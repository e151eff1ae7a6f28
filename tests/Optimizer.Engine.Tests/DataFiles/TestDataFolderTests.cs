using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Diagnostics;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Data;
using Optimizer.Tests.Shared;
using static Optimizer.Tests.Shared.TestDataFolderWriter;
using Proto = Optimizer.Tests.Shared.TestDataFolderWriter;

namespace Optimizer.Engine.Tests.DataFiles;

/// <summary>ONNX test-data folders (test_data_set_*/input_*.pb) as complete feeds: silero with its state, the conformance suite's own folders, and refusals.</summary>
public sealed class TestDataFolderTests : IDisposable
{
    private const string Silero = "data/models/silero_vad_legacy.onnx";
    private readonly DataSetFixture _data = new();

    public void Dispose() => _data.Dispose();

    private SampleSet Read(string declared = "vad") =>
        ModelDataReader.Read(_data.Plan("silero_vad_legacy"), DataSetFixture.Model("silero_vad_legacy"), declared, "Calibration", new DiagnosticLocation("Program.cs", 9, 2));

    private void WriteSileroFeed(int feed, int sequence, bool named = true)
    {
        var folder = _data.PathOf("vad");
        WriteInput(folder, feed, 0, named ? "input" : "", Proto.Float, [1, sequence], Enumerable.Range(0, sequence).Select(i => i / (float)sequence).ToArray());
        WriteInput(folder, feed, 1, named ? "sr" : "", Proto.Int32, [], 16000); // int32 widens to the int64 input
        WriteInput(folder, feed, 2, named ? "h" : "", Proto.Float, [2, 1, 64], new float[128]);
        WriteInput(folder, feed, 3, named ? "c" : "", Proto.Float, [2, 1, 64], new float[128]);
    }

    private EngineException Refused(string code, params string[] words)
    {
        var error = Assert.Throws<EngineException>(() => Read());
        Assert.Equal(code, error.Code);
        Assert.Equal(9, error.Location?.Line);
        Assert.Contains("Calibration folder 'vad'", error.Message);
        foreach (var word in words)
        {
            Assert.Contains(word, error.Message);
        }

        return error;
    }

    [ConditionalFact(Silero)]
    public void Each_folder_is_one_complete_feed_whose_shapes_may_differ()
    {
        WriteSileroFeed(0, 512);
        WriteSileroFeed(1, 256, named: false); // matched by input index
        WriteSileroFeed(10, 1024);

        var set = Assert.IsType<FeedList>(Read());

        Assert.Equal(3, set.SampleCount);
        Assert.Equal("3 samples from 'vad' (test_data_set_* folders)", set.Source);
        var feeds = set.Feeds(64).ToList();
        Assert.Equal([512L, 256, 1024], feeds.Select(f => f.Inputs["input"].Shape[1])); // ordinal: _0, _1, _10
        Assert.Equal(TensorElementType.Int64, feeds[1].Inputs["sr"].ElementType);
        Assert.Equal([16000L], feeds[1].Inputs["sr"].Values<long>().ToArray());
        Assert.Equal([2L, 1, 64], feeds[2].Inputs["h"].Shape);
    }

    [ConditionalFact(Silero)]
    public void One_test_data_set_folder_can_be_declared_directly()
    {
        WriteSileroFeed(0, 512);

        Assert.Equal(1, Read("vad/test_data_set_0").SampleCount);
    }

    [ConditionalFact(Silero)]
    public void A_missing_input_is_refused_naming_the_folder()
    {
        WriteSileroFeed(0, 512);
        File.Delete(Path.Combine(_data.PathOf("vad"), "test_data_set_0", "input_3.pb"));

        Refused(EngineErrorCodes.DataDoesNotFitModel, "'c' (float32 [2,batch,64])", "vad/test_data_set_0");
    }

    [ConditionalFact(Silero)]
    public void The_batch_must_agree_across_inputs_of_a_feed()
    {
        WriteSileroFeed(0, 512);
        WriteInput(_data.PathOf("vad"), 0, 2, "h", Proto.Float, [2, 3, 64], new float[384]);

        Refused(EngineErrorCodes.DataDoesNotFitModel, "'batch' the size 3", "vad/test_data_set_0/input_2.pb");
    }

    [ConditionalFact(Silero)]
    public void A_lossy_type_is_refused()
    {
        WriteSileroFeed(0, 512);
        WriteInput(_data.PathOf("vad"), 0, 0, "input", Proto.Double, [1, 2], 0.5, 0.25);

        Refused(EngineErrorCodes.DataDoesNotFitModel, "as float64", "takes float32");
    }

    [ConditionalFact(Silero)]
    public void A_file_that_is_no_tensor_is_refused()
    {
        WriteSileroFeed(0, 512);
        File.WriteAllBytes(Path.Combine(_data.PathOf("vad"), "test_data_set_0", "input_1.pb"), [0xFF, 0xFF, 0xFF]);

        Refused(PassErrorCodes.CalibrationDataInvalid, "input_1.pb", "TensorProto");
    }

    [ConditionalFact(Silero)]
    public void A_folder_without_feeds_is_refused()
    {
        Directory.CreateDirectory(_data.PathOf("vad"));

        Refused(PassErrorCodes.CalibrationDataInvalid, "holds no test_data_set_* folder");
    }

    [ConditionalFact("onnx-conformance/node/test_abs")]
    public void The_conformance_suites_own_folders_read_as_feeds()
    {
        var test = RepositoryLayout.RequiredShared("onnx-conformance/node/test_abs");
        var model = OnnxModelLoader.Load(Path.Combine(test, "model.onnx"));
        var plan = _data.Plan("silero_vad_legacy") with { ProjectDirectory = test };

        var feed = ModelDataReader.Read(plan, model, ".", "Validation", null).Feeds(1).Single();

        var input = model.Graph.Inputs[0];
        Assert.Equal(input.Type!.Shape!.Select(d => d.Size!.Value), feed.Inputs[input.Name].Shape);
        Assert.Equal(TensorElementType.Float, feed.Inputs[input.Name].ElementType);
    }
}
