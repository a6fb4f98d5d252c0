/*
| Human messages for validation errors, shared by forms and the API.
*/
import vine, { SimpleMessagesProvider } from '@vinejs/vine'

vine.messagesProvider = new SimpleMessagesProvider(
  {
    'required': 'The {{ field }} field is required',
    'string': 'The {{ field }} field must be a string',
    'number': 'The {{ field }} field must be a number',
    'boolean': 'The {{ field }} field must be true or false',
    'email': 'Enter a valid e-mail address',
    'minLength': 'The {{ field }} field must have at least {{ min }} characters',
    'maxLength': 'The {{ field }} field must not be longer than {{ max }} characters',
    'range': 'The {{ field }} field must be between {{ min }} and {{ max }}',
    'withoutDecimals': 'The {{ field }} field must be a whole number',
    'confirmed': 'The password confirmation does not match',
    'email.unique': 'An account with this e-mail already exists',
    'database.unique': 'An account with this e-mail already exists',
  },
  {
    name: 'name',
    full_name: 'name',
    email: 'e-mail',
    password: 'password',
    current_password: 'current password',
    token_name: 'token name',
    expires_in_days: 'expiry',
  }
)
