using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes.Data;
using Optimizer.Tests.Shared;

namespace Optimizer.Engine.Tests.DataFiles;

/// <summary>
/// Generated inputs for real signatures (ids inside the embedding table, masks of ones, silero's
/// sample rate from the constant it is compared to) and the sizes of symbolic dimensions.
/// </summary>
public sealed class GeneratedSamplesTests
{
    private const string Arctic = "data/models/arctic_embed_xs.onnx";
    private const string Silero = "data/models/silero_vad_legacy.onnx";

    [ConditionalFact(Arctic)]
    public void Arctic_ids_are_below_its_vocabulary_and_masks_are_ones()
    {
        var model = DataSetFixture.Model("arctic_embed_xs");

        var set = Assert.IsType<StackedSamples>(GeneratedSamples.For(model, SymbolicDimSizes.Parse("sequence_length=16", null), count: 4));

        Assert.True(set.IsGenerated);
        Assert.True(set.Batchable);
        Assert.Contains("4 generated samples (batch_size=1 (default), sequence_length=16;", set.Source);
        Assert.Contains("no data declared", set.Source);
        var feed = set.Feeds(4).Single();
        var ids = feed.Inputs["input_ids"].Values<long>().ToArray();
        Assert.Equal([4L, 16], feed.Inputs["input_ids"].Shape);
        Assert.All(ids, id => Assert.InRange(id, 0, 30521));
        Assert.True(ids.Distinct().Count() > 32, "ids are spread over the vocabulary");
        Assert.All(feed.Inputs["attention_mask"].Values<long>().ToArray(), m => Assert.Equal(1, m));
        Assert.All(feed.Inputs["token_type_ids"].Values<long>().ToArray(), t => Assert.InRange(t, 0, 1)); // its table has 2 rows
    }

    [ConditionalFact(Silero)]
    public void Silero_sample_rate_is_the_constant_it_is_compared_to_and_state_follows_the_batch()
    {
        var model = DataSetFixture.Model("silero_vad_legacy");

        var set = GeneratedSamples.For(model, SymbolicDimSizes.None, count: 2);

        var feed = set.Feeds(8).First();
        Assert.Equal(1, feed.SampleCount); // sr and the state are fed whole: one sample per run
        Assert.Equal([16000L], feed.Inputs["sr"].Values<long>().ToArray());
        Assert.Empty(feed.Inputs["sr"].Shape);
        Assert.Equal([1L, 128], feed.Inputs["input"].Shape);
        Assert.Equal([2L, 1, 64], feed.Inputs["h"].Shape); // 'batch' at axis 1 is the batch, 1, not 128
        Assert.All(feed.Inputs["input"].Values<float>().ToArray(), v => Assert.InRange(v, 0f, 1f));
    }

    [ConditionalFact(Silero)]
    public void The_same_model_gets_the_same_inputs()
    {
        var model = DataSetFixture.Model("silero_vad_legacy");

        Assert.Equal(GeneratedSamples.For(model, SymbolicDimSizes.None).ContentHash(), GeneratedSamples.For(model, SymbolicDimSizes.None).ContentHash());
    }

    [ConditionalFact(Arctic)]
    public void Describe_names_each_symbolic_dimension_and_whether_it_is_a_default()
    {
        var model = DataSetFixture.Model("arctic_embed_xs");

        Assert.Equal("batch_size=1 (default), sequence_length=128 (default)", SymbolicDimSizes.None.Describe(model));
        Assert.Equal("batch_size=1 (default), sequence_length=64", SymbolicDimSizes.Parse("sequence_length=64", null).Describe(model));
    }

    [Fact]
    public void Parse_takes_semicolons_and_commas()
    {
        var sizes = SymbolicDimSizes.Parse(" sequence_length = 64 ; batch_size=2,other=1000000", null);

        Assert.Equal(64, sizes.Declared["sequence_length"]);
        Assert.Equal(2, sizes.Declared["batch_size"]);
        Assert.Equal(1_000_000, sizes.Declared["other"]);
        Assert.Equal(128, sizes.SizeOf(Dim.Named("unknown"), 1));
        Assert.Equal(1, sizes.SizeOf(Dim.Named("unknown"), 0));
    }

    [Theory]
    [InlineData("sequence_length")]
    [InlineData("sequence_length=0")]
    [InlineData("sequence_length=1000001")]
    [InlineData("=4")]
    [InlineData("a=1;a=2")]
    [InlineData("a=x")]
    public void Bad_text_is_a_coded_error(string text)
    {
        var error = Assert.Throws<EngineException>(() => SymbolicDimSizes.Parse(text, new DiagnosticLocation("Program.cs", 3, 2)));

        Assert.Equal(EngineErrorCodes.SymbolicDimsInvalid, error.Code);
        Assert.Equal(3, error.Location?.Line);
        Assert.Contains("name=size", error.Message);
    }

    [Fact]
    public void From_reads_the_plans_SymbolicDims_declaration()
    {
        var plan = new OptimizationPlan(1, "T", "", "m.onnx", "m.onnx", null, "obj", null, "r",
            [new PlannedPass("SymbolicDims", new Dictionary<string, string> { ["Dims"] = "sequence_length=32" }, null)]);

        Assert.Equal(32, SymbolicDimSizes.From(plan).Declared["sequence_length"]);
        Assert.Empty(SymbolicDimSizes.From(plan with { Passes = [] }).Declared);
    }
}
