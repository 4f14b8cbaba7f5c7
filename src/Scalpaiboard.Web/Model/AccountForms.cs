using System.ComponentModel.DataAnnotations;

namespace Scalpaiboard.Web.Model;

public sealed class LoginForm
{
    [Required(ErrorMessage = "The e-mail address is required.")]
    [EmailAddress(ErrorMessage = "Enter a valid e-mail address.")]
    public string? Email { get; set; }

    [Required(ErrorMessage = "The password is required.")]
    public string? Password { get; set; }

    public string? ReturnUrl { get; set; }
}

public sealed class RegisterForm
{
    [Required(ErrorMessage = "The e-mail address is required.")]
    [EmailAddress(ErrorMessage = "Enter a valid e-mail address.")]
    [StringLength(256)]
    public string? Email { get; set; }

    [Required(ErrorMessage = "The password is required.")]
    [StringLength(128, MinimumLength = 6, ErrorMessage = "The password needs at least 6 characters.")]
    public string? Password { get; set; }

    [Required(ErrorMessage = "Repeat the password.")]
    [Compare(nameof(Password), ErrorMessage = "The passwords do not match.")]
    public string? ConfirmPassword { get; set; }
}
