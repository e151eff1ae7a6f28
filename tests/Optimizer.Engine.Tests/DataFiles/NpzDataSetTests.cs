using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Diagnostics;
using Optimizer.Onnx;
using Optimizer.Passes.Data;
using Optimizer.Tests.Shared;

namespace Optimizer.Engine.Tests.DataFiles;

/// <summary>
/// <c>.npz</c> data matched to real model signatures: the arctic_embed_xs BERT encoder (three int64
/// inputs [batch_size, sequence_length]), silero VAD (float input, scalar sr, state h/c
/// [2, batch, 64]) and hello_deepa (fixed batch 1); and every way an archive fails to fit a model.
/// </summary>
public sealed class NpzDataSetTests : IDisposable
{
    private const string Arctic = "data/models/arctic_embed_xs.onnx";
    private const string Silero = "data/models/silero_vad_legacy.onnx";
    private const string Deepa = "data/models/hello_deepa.onnx";
    private readonly DataSetFixture _data = new();

    public void Dispose() => _data.Dispose();

    private SampleSet Read(string model, NpzWriter npz, string file = "calib.npz")
    {
        npz.WriteTo(_data.PathOf(file));
        return ModelDataReader.Read(_data.Plan(model), DataSetFixture.Model(model), file, "Calibration", new DiagnosticLocation("Program.cs", 7, 2));
    }

    private EngineException Refused(string code, string model, NpzWriter npz, params string[] words)
    {
        var error = Assert.Throws<EngineException>(() => Read(model, npz));
        Assert.Equal(code, error.Code);
        Assert.Equal(7, error.Location?.Line);
        Assert.Contains("Calibration file 'calib.npz'", error.Message);
        foreach (var word in words)
        {
            Assert.Contains(word, error.Message);
        }

        return error;
    }

    private static long[] Ids(int count, long first = 101) => Enumerable.Range(0, count).Select(i => first + i).ToArray();

    private static NpzWriter ArcticNpz(int samples, int sequence) => new NpzWriter()
        .Int64s("input_ids", [samples, sequence], Ids(samples * sequence))
        .Int64s("attention_mask", [samples, sequence], Enumerable.Repeat(1L, samples * sequence).ToArray())
        .Int64s("token_type_ids", [samples, sequence], new long[samples * sequence]);

    [ConditionalFact(Arctic)]
    public void Arctic_samples_are_batched_on_the_symbolic_batch_axis_with_the_datas_sequence_length()
    {
        var set = Assert.IsType<StackedSamples>(Read("arctic_embed_xs", ArcticNpz(3, 7)));

        Assert.Equal(3, set.SampleCount);
        Assert.True(set.Batchable);
        Assert.False(set.IsGenerated);
        Assert.Equal("3 samples from 'calib.npz'", set.Source);
        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], set.InputNames);
        var feeds = set.Feeds(2).ToList();
        Assert.Equal([2, 1], feeds.Select(f => f.SampleCount));
        Assert.All(feeds, f => Assert.True(f.Batched));
        Assert.Equal([2L, 7], feeds[0].Inputs["input_ids"].Shape);
        Assert.Equal(TensorElementType.Int64, feeds[1].Inputs["input_ids"].ElementType);
        Assert.Equal(Ids(21)[14..], feeds[1].Inputs["input_ids"].Values<long>().ToArray());
    }

    [ConditionalFact(Arctic)]
    public void Int32_ids_widen_to_the_int64_inputs()
    {
        var npz = new NpzWriter()
            .Int32s("input_ids", [2, 4], 101, 2023, 102, 0, 101, 7592, 2088, 102)
            .Int32s("attention_mask", [2, 4], 1, 1, 1, 0, 1, 1, 1, 1)
            .Int32s("token_type_ids", [2, 4], new int[8]);

        var feed = Read("arctic_embed_xs", npz).Feeds(2).Single();

        Assert.Equal(TensorElementType.Int64, feed.Inputs["input_ids"].ElementType);
        Assert.Equal([101L, 2023, 102, 0, 101, 7592, 2088, 102], feed.Inputs["input_ids"].Values<long>().ToArray());
        Assert.Equal([1L, 1, 1, 0, 1, 1, 1, 1], feed.Inputs["attention_mask"].Values<long>().ToArray());
    }

    [ConditionalFact(Silero)]
    public void Silero_state_and_scalar_rows_are_fed_whole_one_sample_at_a_time()
    {
        var npz = new NpzWriter()
            .Floats("input", [3, 512], Enumerable.Range(0, 3 * 512).Select(i => (i % 100) / 100f).ToArray())
            .Int64s("sr", [3], 16000, 16000, 8000)
            .Floats("h", [3, 2, 1, 64], new float[3 * 128])
            .Floats("c", [3, 2, 1, 64], new float[3 * 128]);

        var set = Assert.IsType<StackedSamples>(Read("silero_vad_legacy", npz));

        Assert.False(set.Batchable);
        var feeds = set.Feeds(64).ToList();
        Assert.Equal(3, feeds.Count);
        Assert.Equal([1L, 512], feeds[0].Inputs["input"].Shape);
        Assert.Empty(feeds[2].Inputs["sr"].Shape);
        Assert.Equal([8000L], feeds[2].Inputs["sr"].Values<long>().ToArray());
        Assert.Equal([2L, 1, 64], feeds[1].Inputs["h"].Shape);
    }

    [ConditionalFact(Deepa)]
    public void A_fixed_batch_of_one_takes_any_number_of_samples_one_per_run()
    {
        var npz = new NpzWriter().Floats("onnx::Flatten_0", [8, 25, 96], Enumerable.Range(0, 8 * 25 * 96).Select(i => i % 7 / 7f).ToArray());

        var set = Assert.IsType<StackedSamples>(Read("hello_deepa", npz));

        Assert.False(set.Batchable);
        Assert.Equal(8, set.Feeds(64).Count());
        Assert.All(set.Feeds(64), f => Assert.Equal([1L, 25, 96], f.Inputs["onnx::Flatten_0"].Shape));
    }

    [ConditionalFact(Arctic)]
    public void Missing_inputs_are_named_with_their_types_and_the_savez_call() =>
        Refused(EngineErrorCodes.DataDoesNotFitModel, "arctic_embed_xs", new NpzWriter().Int64s("input_ids", [1, 3], 101, 7, 102),
            "'attention_mask' (int64 [batch_size,sequence_length])", "'token_type_ids'", "holds 'input_ids'",
            "numpy.savez('calib.npz', input_ids=..., attention_mask=..., token_type_ids=...)");

    [ConditionalFact(Arctic)]
    public void An_array_that_is_no_input_is_refused() =>
        Refused(EngineErrorCodes.DataDoesNotFitModel, "arctic_embed_xs", ArcticNpz(2, 3).Floats("labels", [2], 0, 1),
            "'labels'", "no input of the model");

    [ConditionalFact(Arctic)]
    public void A_lossy_type_is_refused_naming_both_types_and_how_to_save_it() =>
        Refused(EngineErrorCodes.DataDoesNotFitModel, "arctic_embed_xs", new NpzWriter()
                .Floats("input_ids", [1, 2], 101, 102)
                .Int64s("attention_mask", [1, 2], 1, 1)
                .Int64s("token_type_ids", [1, 2], 0, 0),
            "'input_ids' as float32", "takes int64", "astype(numpy.int64)");

    [ConditionalFact(Arctic)]
    public void Arrays_with_different_sample_counts_are_refused() =>
        Refused(EngineErrorCodes.DataDoesNotFitModel, "arctic_embed_xs", new NpzWriter()
                .Int64s("input_ids", [2, 2], Ids(4))
                .Int64s("attention_mask", [3, 2], Ids(6))
                .Int64s("token_type_ids", [2, 2], Ids(4)),
            "2 samples in array 'input_ids'", "3 in array 'attention_mask'");

    [ConditionalFact(Arctic)]
    public void An_archive_without_samples_is_refused() =>
        Refused(EngineErrorCodes.DataDoesNotFitModel, "arctic_embed_xs", ArcticNpz(0, 4), "no samples");

    [ConditionalFact(Arctic)]
    public void One_symbol_gets_one_size_across_the_inputs_of_a_sample() =>
        Refused(EngineErrorCodes.DataDoesNotFitModel, "arctic_embed_xs", new NpzWriter()
                .Int64s("input_ids", [1, 3], Ids(3))
                .Int64s("attention_mask", [1, 4], Ids(4))
                .Int64s("token_type_ids", [1, 3], Ids(3)),
            "'sequence_length' the size 4", "gave it 3");

    [ConditionalFact(Arctic)]
    public void A_wrong_rank_is_refused() =>
        Refused(EngineErrorCodes.DataDoesNotFitModel, "arctic_embed_xs", new NpzWriter()
                .Int64s("input_ids", [1, 2, 1, 1], 1, 2)
                .Int64s("attention_mask", [1, 2], 1, 1)
                .Int64s("token_type_ids", [1, 2], 0, 0),
            "array 'input_ids'", "(rank 4)", "has rank 2");

    [ConditionalFact(Deepa)]
    public void A_fixed_dimension_must_match_exactly() =>
        Refused(EngineErrorCodes.DataDoesNotFitModel, "hello_deepa", new NpzWriter().Floats("onnx::Flatten_0", [2, 25, 95], new float[2 * 25 * 95]),
            "'onnx::Flatten_0' (float32 [1,25,96])", "fixes axis 2 to 96");

    [ConditionalFact(Silero)]
    public void NaN_is_refused_naming_the_array_and_sample()
    {
        var values = new float[2 * 512];
        values[600] = float.NaN;
        Refused(EngineErrorCodes.DataFileValuesInvalid, "silero_vad_legacy", new NpzWriter()
                .Floats("input", [2, 512], values)
                .Int64s("sr", [2], 16000, 16000)
                .Floats("h", [2, 2, 1, 64], new float[256])
                .Floats("c", [2, 2, 1, 64], new float[256]),
            "array 'input'", "NaN at sample 1");
    }

    [ConditionalFact(Arctic)]
    public void Npy_data_for_a_model_with_several_inputs_says_to_save_an_npz()
    {
        File.WriteAllBytes(_data.PathOf("calib.npy"), NpzWriter.Npy("<f4", [2L, 3], new byte[24]));

        var error = Assert.Throws<EngineException>(() => ModelDataReader.Read(_data.Plan("arctic_embed_xs"), DataSetFixture.Model("arctic_embed_xs"), "calib.npy", "Calibration", null));

        Assert.Equal(EngineErrorCodes.DataDoesNotFitModel, error.Code);
        Assert.Contains("the model has 3 inputs", error.Message);
        Assert.Contains("numpy.savez('calib.npz', input_ids=..., attention_mask=..., token_type_ids=...)", error.Message);
    }
}
