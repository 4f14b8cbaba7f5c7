using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Scalpaiboard.Infrastructure.Options;

public static class OptionsValidation
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to a configuration section and validates its data annotations at
    /// start-up, so a bad setting stops the service with a message naming the key (e.g. <c>Ingest:Feed</c>).
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services, string sectionName)
        where TOptions : class
    {
        return services.AddOptions<TOptions>()
            .BindConfiguration(sectionName)
            .Validate(options =>
            {
                var results = new List<ValidationResult>();
                if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
                {
                    return true;
                }
                var problems = string.Join("; ", results.Select(r =>
                    $"{string.Join(",", r.MemberNames.Select(m => $"{sectionName}:{m}"))}: {r.ErrorMessage}"));
                throw new OptionsValidationException(sectionName, typeof(TOptions), [problems]);
            })
            .ValidateOnStart();
    }
}
