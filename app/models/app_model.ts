import { BaseModel, SnakeCaseNamingStrategy } from '@adonisjs/lucid/orm'

/**
 * Base of every model: JSON keys are snake_case, like the seed's API.
 */
export default class AppModel extends BaseModel {
  static namingStrategy = new SnakeCaseNamingStrategy()
}
