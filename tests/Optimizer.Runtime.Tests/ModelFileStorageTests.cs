using Optimizer.Tests.Shared;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// A model the build stored as files beside the app (<see cref="ModelMetadata.ModelFile"/>): digits_mlp
/// with its weights in ONNX external data and its real kernel program, loaded by a real ONNX Runtime
/// session opened on the file and by the compiled kernels reading the mapped program, against the
/// same model embedded.
/// </summary>
public class ModelFileStorageTests
{
    private const string Name = "Tests.digits_mlp";

    private static string Source => SharedData.PathOf("models/digits_mlp.onnx");

    private static StoredModelFiles Store(bool withProgram = true) =>
        new(Source, "models", Name, withProgram ? CompiledDigitsMlp.ProgramOf(Source) : null);

    private static ModelTensor<float> Images() =>
        new(SharedData.ReadFloats("digits/digits_test_x_450x64.f32").AsSpan(0, 16 * 64).ToArray(), [16, 1, 8, 8]);

    [ConditionalFact("data")]
    public void Onnx_runtime_opens_the_model_file_and_reads_its_external_data_beside_it()
    {
        using var files = Store();
        using var embedded = CompiledDigitsMlp.Create(Source, new ModelOptions { Path = ExecutionPathKind.OnnxRuntime });
        using var stored = CompiledDigitsMlp.FromFiles(files.ModelFile, new ModelOptions { Path = ExecutionPathKind.OnnxRuntime, ModelDirectory = files.Directory });

        Assert.True(new FileInfo(files.PathOf(files.DataFileName)).Length > 100_000);
        Assert.True(new FileInfo(files.PathOf(Name + ".onnx")).Length < 2_000);
        Assert.Equal("OnnxRuntime(CPUExecutionProvider)", stored.ExecutionPath.ToString());
        var input = Images();
        Assert.Equal(embedded.Run(input).Span.ToArray(), stored.Run(input).Span.ToArray());
    }

    [ConditionalFact("data")]
    public void The_compiled_kernels_read_their_weights_in_place_from_the_mapped_program_file()
    {
        using var files = Store();
        using var embedded = CompiledDigitsMlp.Create(Source, new ModelOptions { Path = ExecutionPathKind.Compiled });
        using var stored = CompiledDigitsMlp.FromFiles(files.ModelFile, new ModelOptions { Path = ExecutionPathKind.Compiled, ModelDirectory = files.Directory });

        Assert.Equal(ExecutionPathKind.Compiled, stored.ExecutionPath.Kind);
        Assert.True(stored.Compiled!.Program.WeightsAreZeroCopy, "the program's weights were copied instead of read from the mapped file");
        var input = Images();
        Assert.Equal(embedded.Run(input).Span.ToArray(), stored.Run(input).Span.ToArray());
    }

    [ConditionalFact("data")]
    public void Without_the_program_file_auto_runs_onnx_runtime_and_compiled_says_why()
    {
        using var files = Store(withProgram: false);
        using var auto = CompiledDigitsMlp.FromFiles(files.ModelFile, new ModelOptions { ModelDirectory = files.Directory });

        Assert.Equal("OnnxRuntime(CPUExecutionProvider)", auto.ExecutionPath.ToString());
        Assert.Throws<InvalidOperationException>(() => CompiledDigitsMlp.FromFiles(files.ModelFile, new ModelOptions { Path = ExecutionPathKind.Compiled, ModelDirectory = files.Directory }));
    }

    [ConditionalFact("data")]
    public void Metadata_props_are_read_from_the_model_file()
    {
        using var files = Store();
        using var stored = CompiledDigitsMlp.FromFiles(files.ModelFile, new ModelOptions { Path = ExecutionPathKind.OnnxRuntime, ModelDirectory = files.Directory });

        Assert.Equal(StoredModelFiles.MarkValue, stored.MetadataProps[StoredModelFiles.MarkKey]);
    }

    [Fact]
    public void A_missing_model_file_names_the_file_and_the_app_folder_searched()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => CompiledDigitsMlp.FromFiles("models/Absent.Model.onnx", new ModelOptions { Path = ExecutionPathKind.OnnxRuntime }));

        Assert.Contains("'models/Absent.Model.onnx'".Replace('/', Path.DirectorySeparatorChar), ex.Message);
        Assert.Contains($"'{Path.GetFullPath(AppContext.BaseDirectory)}'", ex.Message);
        Assert.Contains("ModelOptions.ModelDirectory", ex.Message);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "models/Absent.Model.onnx"), ex.FileName);
    }

    [Fact]
    public void A_missing_model_file_in_the_named_folder_names_that_folder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "optimizer-no-models-" + Guid.NewGuid().ToString("N"));
        var ex = Assert.Throws<FileNotFoundException>(() => CompiledDigitsMlp.FromFiles("Absent.onnx", new ModelOptions { Path = ExecutionPathKind.OnnxRuntime, ModelDirectory = folder }));

        Assert.Contains($"'Absent.onnx' is not in '{folder}'", ex.Message);
    }
}
